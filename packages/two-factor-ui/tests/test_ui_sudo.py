"""Sudo mode (issue 10): the account's sensitive actions need a recent second factor."""

from __future__ import annotations

import time

import pytest
from django.core.checks import run_checks
from django.urls import reverse

from otp_core.session import record_verification

pytestmark = pytest.mark.django_db

SENSITIVE = ["disable", "remove_device", "backup_tokens", "setup"]


def signed_in(client, user, device, age):
    client.force_login(user)
    session = client.session
    record_verification(session, device, at=time.time() - age)
    session.save()
    return client


@pytest.mark.parametrize("name", SENSITIVE)
def test_a_stale_session_steps_up_before_a_sensitive_page(client, user, example_device, name):
    signed_in(client, user, example_device, age=3600)
    url = reverse(f"two_factor:{name}")
    response = client.get(url, {"device": example_device.persistent_id})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('two_factor:step_up')}?next={url}")


def test_a_stale_session_cannot_disable(client, user, example_device, code_for):
    from otp_example.models import ExampleDevice

    signed_in(client, user, example_device, age=601)
    disable = reverse("two_factor:disable")
    refused = client.post(disable, {"understand": "on"})
    assert refused["Location"].startswith(reverse("two_factor:step_up"))
    assert ExampleDevice.objects.filter(pk=example_device.pk).exists()
    # The step-up page asks for any second factor, then sends the user back.
    step_up = client.get(refused["Location"]).content.decode()
    assert example_device.persistent_id in step_up
    assert "one of your sign-in methods, used in the last 10 minutes" in step_up
    back = client.post(
        refused["Location"],
        {
            "next": disable,
            "method": example_device.persistent_id,
            "step_up-otp_token": code_for(example_device),
        },
    )
    assert back["Location"] == disable
    done = client.post(disable, {"understand": "on"})
    assert done.status_code == 302
    assert not ExampleDevice.objects.filter(pk=example_device.pk).exists()


def test_a_recent_verification_passes(client, user, example_device):
    signed_in(client, user, example_device, age=599)
    assert client.get(reverse("two_factor:disable")).status_code == 200


def test_a_first_set_up_needs_no_second_factor(client, user):
    client.force_login(user)
    assert client.get(reverse("two_factor:setup")).status_code == 200


def test_sudo_mode_can_be_turned_off(settings, client, user, example_device):
    settings.TWO_FACTOR_SENSITIVE_MAX_AGE = None
    signed_in(client, user, example_device, age=10**6)
    assert client.get(reverse("two_factor:disable")).status_code == 200


def test_a_json_client_gets_a_401(client, user, example_device):
    signed_in(client, user, example_device, age=3600)
    response = client.get(reverse("two_factor:disable"), headers={"accept": "application/json"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].endswith("max_age=600")


@pytest.mark.parametrize("value", [-1, "600", 1.5, True])
def test_a_bad_max_age_is_a_start_up_error(settings, value):
    settings.TWO_FACTOR_SENSITIVE_MAX_AGE = value
    assert "two_factor_ui.E020" in [m.id for m in run_checks()]

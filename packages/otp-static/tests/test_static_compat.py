"""django-otp compatibility of otp-static (issue 12): add_static_token, codes without a choice."""

from __future__ import annotations

import secrets

import pytest
from django.contrib.auth import get_user_model

from otp_static.lib import add_static_token
from otp_static.models import StaticDevice

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes_generated_log():
    from otp_core.signals import backup_codes_generated

    log = []

    def receiver(sender, **kwargs):
        log.append(kwargs)

    backup_codes_generated.connect(receiver, weak=False)
    yield log
    backup_codes_generated.disconnect(receiver)


def test_add_static_token_makes_the_set_and_returns_a_working_code(user, codes_generated_log):
    code = add_static_token("alice")
    device = StaticDevice.objects.get(user=user)
    assert device.remaining == 1
    assert [e["count"] for e in codes_generated_log] == [1]
    assert device.verify_token(code)
    assert not device.verify_token(code)


def test_add_static_token_with_a_given_token(user, static_device, codes):
    assert add_static_token("alice", "Ab12-Cd34") == "Ab12-Cd34"
    static_device.refresh_from_db()
    assert static_device.remaining == len(codes) + 1
    assert static_device.verify_token("ab12cd34")


def test_add_static_token_errors_as_django_otp(user):
    with pytest.raises(get_user_model().DoesNotExist):
        add_static_token("nobody")
    with pytest.raises(ValueError, match="1 to 64"):
        add_static_token("alice", " - ")
    assert not StaticDevice.objects.exists()  # nothing half-made


def test_a_backup_code_with_no_device_chosen_fails_no_other_device(client, user, settings):
    """Issue 12: typed into OTPAuthenticationForm with no device chosen, a backup code
    puts no failure on the user's other (TOTP-like) device."""
    from otp_example.models import ExampleDevice

    app = ExampleDevice.objects.create(user=user, name="app", key=secrets.token_hex(20))
    code = add_static_token("alice")
    data = {"username": "alice", "password": "correct horse", "otp_token": code}
    response = client.post("/login/", data)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "device_required"
    ]
    app.refresh_from_db()
    assert app.throttling_failure_count == 0
    device = StaticDevice.objects.get(user=user)
    assert device.remaining == 1  # not spent
    response = client.post("/login/", {**data, "otp_device": device.persistent_id})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.throttling_failure_count == 0

"""The step-up page (issue 10): only the missing factor, then back to the page."""

from __future__ import annotations

import secrets
import sys
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.urls import include, path, reverse

from otp_core.decorators import otp_required
from otp_core.policy import Policy
from otp_core.session import record_password, record_verification, stored_verifications

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse"


@otp_required(policy=Policy(factors="hwk"))
def key_page(request):
    return HttpResponse("key page")


@otp_required(policy=Policy(factors="pwd", max_age=60))
def password_page(request):
    return HttpResponse("password page")


@otp_required(policy=Policy(factors="hwk") & Policy(factors="otp", max_age=60))
def both_page(request):
    return HttpResponse("both page")


@otp_required(policy=Policy(factors="sms"))
def sms_page(request):
    return HttpResponse("sms page")


urlpatterns = [
    path("key/", key_page),
    path("password/", password_page),
    path("both/", both_page),
    path("sms/", sms_page),
    path("", include("test_project.urls")),
]


@pytest.fixture(autouse=True)
def urls(settings):
    settings.ROOT_URLCONF = sys.modules[__name__]


@pytest.fixture
def hw_device(user):
    from otp_example.models import HardwareExampleDevice

    return HardwareExampleDevice.objects.create(
        user=user, name="Blue key", key=secrets.token_hex(20)
    )


def verify(client, device, age: float = 0.0) -> None:
    session = client.session
    record_verification(session, device, at=time.time() - age)
    session.save()


def step_up_url(next_url: str) -> str:
    return f"{reverse('two_factor:step_up')}?next={next_url}"


def post(client, next_url, **data):
    return client.post(step_up_url(next_url), {"next": next_url, **data})


def test_a_missing_factor_is_asked_for_and_the_user_sent_back(
    client, user, example_device, hw_device, code_for
):
    client.force_login(user)
    verify(client, example_device)
    refused = client.get("/key/")
    assert refused.status_code == 302
    assert refused["Location"] == step_up_url("/key/")
    page = client.get(refused["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "a hardware security key" in html
    # Only the device that can meet the policy is offered.
    assert hw_device.persistent_id in html
    assert example_device.persistent_id not in html
    wrong = post(client, "/key/", method=hw_device.persistent_id, **{"step_up-otp_token": "000000"})
    assert wrong.status_code == 200
    assert client.get("/key/").status_code == 302
    done = post(
        client,
        "/key/",
        method=hw_device.persistent_id,
        **{"step_up-otp_token": code_for(hw_device)},
    )
    assert done.status_code == 302
    assert done["Location"] == "/key/"
    assert client.get("/key/").content == b"key page"
    # The earlier factor still counts.
    assert {v.amr for v in stored_verifications(client.session)} >= {"otp", "hwk"}


def test_no_method_can_meet_it_explains_instead_of_looping(client, user, example_device):
    client.force_login(user)
    verify(client, example_device)
    page = client.get(client.get("/key/")["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "None of your sign-in methods can give that" in html
    assert "a hardware security key" in html
    assert reverse("two_factor:setup") in html
    assert 'name="method"' not in html  # nothing to verify with
    # Posting anyway verifies nothing and grants nothing.
    post(client, "/key/", method=example_device.persistent_id, **{"step_up-otp_token": "123456"})
    assert client.get("/key/").status_code == 302


def test_next_must_be_this_site(client, user, hw_device, code_for):
    client.force_login(user)
    evil = "https://evil.example/steal"
    response = client.post(
        f"{reverse('two_factor:step_up')}?next={evil}",
        {"next": evil, "method": hw_device.persistent_id, "step_up-otp_token": code_for(hw_device)},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"  # LOGIN_REDIRECT_URL


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(step_up_url("/key/"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:login"))


def test_a_met_policy_goes_straight_back(client, user, hw_device):
    client.force_login(user)
    verify(client, hw_device)
    client.get("/key/")
    # Already met (e.g. verified in another tab): no prompt.
    session = client.session
    session["otp_step_up"] = {"next": "/key/", "policy": {"factors": ["hwk"]}}
    session.save()
    assert client.get(step_up_url("/key/"))["Location"] == "/key/"


def test_a_recent_password_is_asked_for_alone(client, user, example_device):
    client.force_login(user)
    verify(client, example_device)
    session = client.session
    record_password(session, at=time.time() - 3600)
    session.save()
    refused = client.get("/password/")
    page = client.get(refused["Location"])
    html = page.content.decode()
    assert "your password, used in the last minute" in html
    assert 'type="password"' in html
    assert example_device.persistent_id not in html
    wrong = post(client, "/password/", method="password", **{"step_up-password": "nope"})
    assert "That is not your password" in wrong.content.decode()
    right = post(client, "/password/", method="password", **{"step_up-password": PASSWORD})
    assert right["Location"] == "/password/"
    assert client.get("/password/").content == b"password page"


def test_wrong_passwords_end_the_session(client, user, example_device):
    client.force_login(user)
    session = client.session
    record_password(session, at=time.time() - 3600)
    session.save()
    client.get("/password/")
    for _ in range(4):
        assert (
            post(client, "/password/", method="password", **{"step_up-password": "x"}).status_code
            == 200
        )
    last = post(client, "/password/", method="password", **{"step_up-password": "x"})
    assert last.status_code == 302
    assert SESSION_KEY not in client.session


def test_a_combined_policy_asks_one_factor_at_a_time(
    client, user, example_device, hw_device, code_for
):
    client.force_login(user)
    verify(client, example_device, age=3600)
    client.get("/both/")
    first = client.get(step_up_url("/both/")).content.decode()
    assert "a hardware security key" in first
    assert "an authenticator app, used in the last minute" in first
    after_key = post(
        client,
        "/both/",
        method=hw_device.persistent_id,
        **{"step_up-otp_token": code_for(hw_device)},
    )
    assert after_key.status_code == 200  # the app is still missing: asked next, same page
    assert example_device.persistent_id in after_key.content.decode()
    done = post(
        client,
        "/both/",
        method=example_device.persistent_id,
        **{"step_up-otp_token": code_for(example_device)},
    )
    assert done["Location"] == "/both/"
    assert client.get("/both/").content == b"both page"


def test_a_code_is_sent_once_per_visit_and_again_on_request(
    client, user, example_device, challenge_device
):
    from otp_example.models import outbox

    client.force_login(user)
    verify(client, example_device)
    client.get("/sms/")
    page = client.get(step_up_url("/sms/"))
    assert "Code sent." in page.content.decode()
    assert len(outbox) == 1
    # A failed attempt re-renders without sending again.
    post(client, "/sms/", method=challenge_device.persistent_id, **{"step_up-otp_token": "000000"})
    assert len(outbox) == 1
    post(client, "/sms/", method=challenge_device.persistent_id, resend="1")
    assert len(outbox) == 2
    ok = post(
        client, "/sms/", method=challenge_device.persistent_id, **{"step_up-otp_token": outbox[-1]}
    )
    assert ok["Location"] == "/sms/"

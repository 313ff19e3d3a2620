"""The forms that ask for a second factor, through the demo's /login/ and /verify/."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import resolve_url
from otp_example.models import outbox

from otp_core.forms import OTPTokenForm
from otp_core.middleware import OTPMiddleware
from otp_core.setup import DeviceVerificationForm

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse"


def login(client, token="", device=None, password=PASSWORD, **extra):
    data = {"username": "alice", "password": password, "otp_token": token, **extra}
    if device is not None:
        data["otp_device"] = device.persistent_id
    return client.post("/login/", data)


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def errors(response) -> str:
    return " ".join(str(e) for e in response.context["form"].errors.get("__all__", []))


# -- OTPAuthenticationForm through /login/ --------------------------------------------------


def test_login_page_renders_the_otp_fields(client):
    response = client.get("/login/")
    assert response.status_code == 200
    for name in ("username", "password", "otp_device", "otp_token"):
        assert f'name="{name}"' in response.content.decode()


def test_password_and_token_log_in_verified(client, user, device, otp_code):
    response = login(client, otp_code(device), device)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_as(client) == str(user.pk)
    assert client.get("/protected/decorator/").status_code == 200
    assert client.session["otp_device_id"] == device.persistent_id


def test_token_without_device_choice_needs_a_device_when_there_are_several(
    client, user, device, hw_device, otp_code
):
    # Issue 12: the code is not tried on every device (django-otp 1.7: device_required).
    response = login(client, otp_code(hw_device))
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "device_required"
    ]
    assert logged_in_as(client) is None
    # Nothing was checked: no failure anywhere, the code is still unspent.
    for d in (device, hw_device):
        d.refresh_from_db()
        assert d.throttling_failure_count == 0
    assert hw_device.counter == 0
    # The select now lists the user's devices to choose from.
    html = response.content.decode()
    assert f'value="{hw_device.persistent_id}"' in html
    response = login(client, otp_code(hw_device), hw_device)
    assert response.status_code == 302


def test_token_without_device_choice_uses_the_only_device(client, user, device, otp_code):
    response = login(client, otp_code(device))
    assert response.status_code == 302
    assert client.session["otp_device_id"] == device.persistent_id


def test_failed_attempt_leaves_otp_device_none(rf, user, device, hw_device):
    from otp_core.forms import OTPAuthenticationForm

    request = rf.post("/login/")
    for data in (
        {"otp_token": "12345x", "otp_device": device.persistent_id},
        {"otp_token": "12345x"},
    ):
        user.otp_device = device  # left over from an earlier check: must not survive
        data = {"username": "alice", "password": PASSWORD, **data}
        form = OTPAuthenticationForm(request, data=data)
        assert not form.is_valid()
        assert form.get_user().otp_device is None


def test_login_follows_a_safe_next_only(client, user, device, otp_code):
    response = login(client, otp_code(device), device, next="/protected/mixin/")
    assert response["Location"] == "/protected/mixin/"
    client.logout()
    device.refresh_from_db()
    response = login(client, otp_code(device), device, next="http://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_token_is_a_form_error(client, user, device):
    response = login(client, "12345x", device)
    assert response.status_code == 200
    assert "Invalid code" in errors(response)
    assert logged_in_as(client) is None
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_missing_token_is_a_form_error(client, user, device):
    response = login(client, "", device)
    assert response.status_code == 200
    assert "Please enter your one-time code." in errors(response)
    assert logged_in_as(client) is None


def test_wrong_password_checks_no_token(client, user, device, otp_code):
    response = login(client, otp_code(device), device, password="wrong")
    assert response.status_code == 200
    assert logged_in_as(client) is None
    device.refresh_from_db()
    assert device.counter == 0  # the code was not spent
    assert device.throttling_failure_count == 0


def test_foreign_device_choice_does_not_help(client, user, other_user, device_factory, otp_code):
    foreign = device_factory(other_user)
    device_factory(user)
    response = login(client, otp_code(foreign), foreign)
    assert response.status_code == 200
    assert logged_in_as(client) is None
    foreign.refresh_from_db()
    assert foreign.counter == 0


def test_throttled_login_says_how_long_to_wait(client, user, device, otp_code):
    login(client, "12345x", device)
    login(client, "12345x", device)  # refused unchecked: inside the 1 s delay
    device.refresh_from_db()
    device.throttling_failure_count = 3
    device.save()
    response = login(client, otp_code(device), device)
    assert response.status_code == 200
    message = errors(response)
    match = re.search(r"Please wait (\d+) seconds", message)
    assert match, message
    assert 1 <= int(match.group(1)) <= 4
    assert logged_in_as(client) is None


def test_locked_device_says_so(client, user, device, otp_code):
    device.throttling_failure_count = 100
    device.save()
    response = login(client, otp_code(device), device)
    assert response.status_code == 200
    assert "locked" in errors(response)
    assert logged_in_as(client) is None


def test_challenge_button_sends_a_code_then_the_code_logs_in(client, user, challenge_device):
    response = login(client, "", challenge_device, otp_challenge="1")
    assert response.status_code == 200
    assert "Code sent." in errors(response)
    assert logged_in_as(client) is None
    assert len(outbox) == 1
    assert outbox[0] not in response.content.decode()

    response = login(client, outbox[0], challenge_device)
    assert response.status_code == 302
    assert logged_in_as(client) == str(user.pk)
    session = client.session
    assert session["otp_verifications"][-1]["k"] == "sms"


def test_challenge_button_on_a_non_interactive_device(client, user, device):
    response = login(client, "", device, otp_challenge="1")
    assert "does not need to send a code" in errors(response)


def test_challenge_button_without_device(client, user, device, hw_device):
    response = login(client, "", otp_challenge="1")
    assert "Please choose the device that gives your code." in errors(response)


def test_challenge_cooldown_is_a_form_error(monkeypatch, client, user, challenge_device):
    from otp_example.models import ExampleChallengeDevice

    monkeypatch.setattr(ExampleChallengeDevice, "get_cooldown", lambda self: 60)
    login(client, "", challenge_device, otp_challenge="1")
    response = login(client, "", challenge_device, otp_challenge="1")
    assert "wait before asking for another" in errors(response)
    assert len(outbox) == 1


def test_failing_delivery_is_a_form_error(monkeypatch, client, user, challenge_device):
    from otp_example.models import ExampleChallengeDevice

    def broken(self, request):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(ExampleChallengeDevice, "_challenge", broken)
    response = login(client, "", challenge_device, otp_challenge="1")
    assert response.status_code == 200
    assert "could not be sent" in errors(response)
    assert "gateway" not in response.content.decode()


# -- OTPTokenForm through /verify/ --------------------------------------------------------------


def test_verify_page_needs_login(client):
    response = client.get("/verify/")
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_verify_page_verifies_a_logged_in_session(client, user, device, otp_code):
    client.force_login(user)
    assert client.get("/protected/decorator/").status_code == 302
    response = client.get("/verify/")
    assert response.status_code == 200
    assert device.persistent_id in response.content.decode()  # a device choice
    response = client.post(
        "/verify/", {"otp_device": device.persistent_id, "otp_token": otp_code(device)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/protected/decorator/").status_code == 200


def test_verify_page_ignores_an_unsafe_next(client, user, device, otp_code):
    client.force_login(user)
    response = client.post(
        "/verify/",
        {
            "otp_device": device.persistent_id,
            "otp_token": otp_code(device),
            "next": "http://evil.example/",
        },
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert response["Location"] == "/"


def test_verify_page_wrong_token(client, user, device):
    client.force_login(user)
    response = client.post("/verify/", {"otp_device": device.persistent_id, "otp_token": "1"})
    assert response.status_code == 200
    assert "Invalid code" in errors(response)
    assert client.get("/protected/decorator/").status_code == 302


def test_token_form_puts_the_verified_device_on_the_request_user(
    rf, user, device, hw_device, otp_code
):
    from otp_core.session import record_verification

    request = rf.post("/")
    request.session = SessionStore()
    record_verification(request.session, device)
    request.user = user
    OTPMiddleware(lambda r: None)(request)
    assert request.user.otp_device.pk == device.pk

    form = OTPTokenForm(
        request.user,
        request,
        data={"otp_device": hw_device.persistent_id, "otp_token": otp_code(hw_device)},
    )
    assert form.is_valid(), form.errors
    # As with django-otp: the form leaves the device it verified on the user.
    assert request.user.otp_device.pk == hw_device.pk
    assert form.get_user() is request.user


# -- DeviceVerificationForm ------------------------------------------------------------------


def test_device_verification_form(device, otp_code):
    code = otp_code(device)
    form = DeviceVerificationForm(data={"otp_token": f" {code} "}, device=device)
    assert form.is_valid(), form.errors
    assert form.get_context() == {}
    again = DeviceVerificationForm(data={"otp_token": code}, device=device)
    assert not again.is_valid()
    assert again.errors["__all__"][0].startswith("Invalid code")


def test_device_verification_form_required_and_throttled(device, otp_code):
    empty = DeviceVerificationForm(data={"otp_token": ""}, device=device)
    assert not empty.is_valid()
    assert "otp_token" in empty.errors
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # nothing was checked

    DeviceVerificationForm(data={"otp_token": "1"}, device=device).is_valid()
    DeviceVerificationForm(data={"otp_token": "1"}, device=device).is_valid()
    throttled = DeviceVerificationForm(data={"otp_token": otp_code(device)}, device=device)
    assert not throttled.is_valid()
    assert throttled.errors["__all__"] == [
        "Too many failed attempts. Please wait 2 seconds and try again."
    ]


def test_wrong_then_right_at_once_is_accepted(device, otp_code):
    """One mistyped code (or a paste of the previous one) does not block the next try."""
    wrong = DeviceVerificationForm(data={"otp_token": "1"}, device=device)
    assert not wrong.is_valid()
    assert wrong.errors["__all__"] == ["Invalid code. Please make sure you entered it correctly."]
    right = DeviceVerificationForm(data={"otp_token": otp_code(device)}, device=device)
    assert right.is_valid(), right.errors
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_wrong_wrong_right_at_once_is_refused_with_the_exact_wait(settings, device, otp_code):
    settings.OTP_THROTTLE_FACTOR = 0.5  # 0.5 * 2 = 1 s after the second failure
    for _ in range(2):
        assert not DeviceVerificationForm(data={"otp_token": "1"}, device=device).is_valid()
    right = DeviceVerificationForm(data={"otp_token": otp_code(device)}, device=device)
    assert not right.is_valid()
    assert right.errors["__all__"] == [
        "Too many failed attempts. Please wait 1 second and try again."
    ]
    device.refresh_from_db()
    assert device.throttling_failure_count == 2  # the refusal counted nothing


def test_device_verification_form_locked(device, otp_code):
    device.throttling_failure_count = 100
    device.save()
    form = DeviceVerificationForm(data={"otp_token": otp_code(device)}, device=device)
    assert not form.is_valid()
    assert "locked" in form.errors["__all__"][0]


def test_otp_admin_login_needs_a_device_when_there_are_several(
    client, user, device, hw_device, otp_code
):
    user.is_staff = True
    user.save()
    data = {"username": "alice", "password": PASSWORD, "otp_token": otp_code(device)}
    response = client.post("/otpadmin/login/", data)
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()["__all__"]]
    assert codes == ["device_required"]
    device.refresh_from_db()
    assert device.counter == 0
    assert device.throttling_failure_count == 0
    response = client.post("/otpadmin/login/", {**data, "otp_device": device.persistent_id})
    assert response.status_code == 302

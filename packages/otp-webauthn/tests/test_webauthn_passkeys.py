"""Passkey sign-in (no password) and passkey sign-up."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from otp_core.policy import Policy
from otp_core.session import second_factor_verifications
from otp_webauthn.models import WebAuthnDevice, WebAuthnUserHandle

from .authenticator import Authenticator

pytestmark = pytest.mark.django_db


@pytest.fixture
def passkey(user, client, ceremonies):
    """``user`` has a synced passkey; the client is signed out again."""
    key = Authenticator(synced=True, counter=False)
    client.force_login(user)
    assert ceremonies.register(key, name="Phone").status_code == 200
    client.logout()
    return key


def test_anonymous_begin_asks_for_a_discoverable_credential(passkey, ceremonies):
    options = ceremonies.begin("authenticate")
    assert options.get("allowCredentials", []) == []
    assert options["userVerification"] == "required"


def test_passkey_sign_in(passkey, user, client, ceremonies):
    options = ceremonies.begin("authenticate")
    before = client.session.session_key
    response = ceremonies.post(
        "authenticate-complete", {**passkey.get(options), "next": "/protected/decorator/"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["redirect"] == "/protected/decorator/"
    session = client.session
    assert session[SESSION_KEY] == str(user.pk)
    assert session["_auth_user_backend"] == "otp_webauthn.backends.PasskeyBackend"
    assert session.session_key != before
    [verification] = second_factor_verifications(session)
    assert verification.passwordless
    assert verification.amr == "swk"
    # otp_required passes; a policy can tell it from password + key.
    assert client.get(reverse("decorator")).status_code == 200
    assert Policy(passwordless=True).accepts(verification, time.time())
    assert not Policy(passwordless=False).accepts(verification, time.time())


def test_password_plus_key_is_not_passwordless(registered, authenticator, ceremonies, client):
    options = ceremonies.begin("authenticate")
    ceremonies.post("authenticate-complete", authenticator.get(options))
    [verification] = second_factor_verifications(client.session)
    assert not verification.passwordless
    assert Policy(passwordless=False).accepts(verification, time.time())


def test_passkey_sign_in_requires_user_verification(passkey, ceremonies, client):
    options = ceremonies.begin("authenticate")
    response = ceremonies.post("authenticate-complete", passkey.get(options, uv=False))
    assert response.json()["error"] == "authentication_failed"
    assert SESSION_KEY not in client.session


def test_redirect_target_is_validated(passkey, ceremonies):
    options = ceremonies.begin("authenticate")
    body = {**passkey.get(options), "next": "https://evil.example/"}
    assert ceremonies.post("authenticate-complete", body).json()["redirect"] == "/"


def test_failures_look_alike(passkey, user, ceremonies, client):
    """Unknown credential, wrong user handle, bad signature, inactive user: one answer."""
    answers = []
    options = ceremonies.begin("authenticate")
    answers.append(Authenticator(synced=True).get({**options}, user_handle=b"\x02" * 64))
    ceremonies_results = [ceremonies.post("authenticate-complete", answers[-1])]
    options = ceremonies.begin("authenticate")
    ceremonies_results.append(
        ceremonies.post("authenticate-complete", passkey.get(options, user_handle=b"\x02" * 64))
    )
    options = ceremonies.begin("authenticate")
    ceremonies_results.append(
        ceremonies.post("authenticate-complete", passkey.get(options, user_handle=None))
    )
    options = ceremonies.begin("authenticate")
    ceremonies_results.append(
        ceremonies.post("authenticate-complete", passkey.get(options, signer=Authenticator()))
    )
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    options = ceremonies.begin("authenticate")
    ceremonies_results.append(ceremonies.post("authenticate-complete", passkey.get(options)))
    bodies = {r.content for r in ceremonies_results}
    assert [r.status_code for r in ceremonies_results] == [400] * 5
    assert len(bodies) == 1
    assert b"authentication_failed" in bodies.pop()
    assert SESSION_KEY not in client.session


def test_passwordless_off(passkey, ceremonies, settings):
    settings.OTP_WEBAUTHN_PASSWORDLESS = False
    response = ceremonies.post("authenticate-begin")
    assert (response.status_code, response.json()["error"]) == (404, "not_enabled")


def test_passwordless_switched_off_between_begin_and_complete(passkey, ceremonies, settings):
    options = ceremonies.begin("authenticate")
    settings.OTP_WEBAUTHN_PASSWORDLESS = False
    response = ceremonies.post("authenticate-complete", passkey.get(options))
    assert response.json()["error"] == "no_challenge"


def test_backend_answers_nothing_else(user):
    from django.contrib.auth import authenticate

    assert authenticate(None, username="alice", passkey_assertion="forged") is None


# -- sign-up ------------------------------------------------------------------


@pytest.fixture
def signup(settings):
    settings.OTP_WEBAUTHN_SIGNUP = True


def test_sign_up_creates_account_and_passkey_in_one_step(signup, ceremonies, client):
    User = get_user_model()
    options = ceremonies.begin("signup", {"username": "carol"})
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert not User.objects.filter(username="carol").exists()
    key = Authenticator(synced=True, counter=False)
    response = ceremonies.post("signup-complete", key.create(options, name="Laptop"))
    assert response.status_code == 200, response.content
    carol = User.objects.get(username="carol")
    assert not carol.has_usable_password()
    device = WebAuthnDevice.objects.get(user=carol)
    assert device.name == "Laptop"
    assert bytes(WebAuthnUserHandle.objects.get(user=carol).handle) == key.user_handle
    assert client.session[SESSION_KEY] == str(carol.pk)
    assert second_factor_verifications(client.session)[0].passwordless
    # And the passkey signs carol in later.
    client.logout()
    options = ceremonies.begin("authenticate")
    assert ceremonies.post("authenticate-complete", key.get(options)).status_code == 200


def test_failed_or_abandoned_sign_up_leaves_no_user(signup, ceremonies):
    User = get_user_model()
    options = ceremonies.begin("signup", {"username": "carol"})
    response = ceremonies.post(
        "signup-complete", Authenticator().create(options, origin="https://evil.example")
    )
    assert response.json()["error"] == "bad_origin"
    ceremonies.begin("signup", {"username": "dave"})  # abandoned
    assert not User.objects.filter(username__in=["carol", "dave"]).exists()
    assert not WebAuthnUserHandle.objects.exists()


def test_sign_up_user_name_rules(signup, ceremonies, user):
    for bad in ["alice", "ALICE", "", "a b!", "x" * 200, None, 7, "a\x00"]:
        response = ceremonies.post("signup-begin", {"username": bad})
        assert (response.status_code, response.json()["error"]) == (400, "bad_username"), bad


def test_sign_up_race_for_one_name(signup, ceremonies, django_user_model):
    options = ceremonies.begin("signup", {"username": "carol"})
    django_user_model.objects.create_user("carol")
    response = ceremonies.post("signup-complete", Authenticator().create(options))
    assert response.json()["error"] == "bad_username"
    assert not WebAuthnDevice.objects.exists()


def test_sign_up_off_by_default(ceremonies):
    response = ceremonies.post("signup-begin", {"username": "carol"})
    assert (response.status_code, response.json()["error"]) == (404, "not_enabled")


def test_sign_up_begin_with_hostile_names_writes_nothing(signup, ceremonies, django_user_model):
    from otp_core.testing import hostile_values

    before = django_user_model.objects.count()
    for hostile in hostile_values():
        response = ceremonies.post("signup-begin", {"username": hostile.value})
        assert response.status_code in (200, 400), hostile.label
    assert django_user_model.objects.count() == before
    assert not WebAuthnUserHandle.objects.exists()

"""Full ceremonies through the four JSON endpoints with a software authenticator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from otp_core import signals as core_signals
from otp_core.policy import AAL3, Policy
from otp_core.session import VERIFICATIONS_SESSION_KEY, second_factor_verifications
from otp_webauthn.models import WebAuthnDevice, WebAuthnUserHandle

from .authenticator import Authenticator, unb64
from .conftest import fresh_login

pytestmark = pytest.mark.django_db


def test_register_makes_one_confirmed_device_per_credential(user, client, ceremonies):
    client.force_login(user)
    key = Authenticator()
    added = []

    def receiver(**kw):
        added.append(kw["device"])

    core_signals.device_added.connect(receiver)
    try:
        options = ceremonies.begin("register")
        response = ceremonies.post("register-complete", key.create(options, name="Blue key"))
    finally:
        core_signals.device_added.disconnect(receiver)
    assert response.status_code == 200, response.content
    device = WebAuthnDevice.objects.get()
    assert response.json()["device"] == {
        "id": device.persistent_id,
        "name": "Blue key",
        "kind": "hwk",
        "synced": False,
    }
    assert device.user == user
    assert device.confirmed
    assert bytes(device.credential_id) == key.credential_id
    assert device.sign_count == 0
    assert device.aaguid == "00000000-0000-0000-0000-000000000000"
    assert device.transports == ["nfc", "usb"]
    assert device.discoverable is True
    assert device.attestation_format == "none"
    assert not device.backup_eligible
    assert added == [device]
    # The options: our RP, a random 64-byte handle (not the pk or user name), UV preferred.
    assert options["rp"] == {"id": "example.com", "name": "otp-core demo"}
    handle = unb64(options["user"]["id"])
    assert len(handle) == 64
    assert handle == bytes(WebAuthnUserHandle.objects.get(user=user).handle)
    assert b"alice" not in handle
    assert len(unb64(options["challenge"])) == 32
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"


def test_exclude_credentials_lists_the_users_keys(registered, authenticator, ceremonies):
    options = ceremonies.begin("authenticate")
    assert ceremonies.post("authenticate-complete", authenticator.get(options)).status_code == 200
    options = ceremonies.begin("register")
    assert [c["id"] for c in options["excludeCredentials"]] == [
        options["excludeCredentials"][0]["id"]
    ]
    assert unb64(options["excludeCredentials"][0]["id"]) == authenticator.credential_id
    # Verified with the first key, the user adds a second one.
    second = Authenticator()
    response = ceremonies.post("register-complete", second.create(options, name="Spare"))
    assert response.status_code == 200, response.content
    assert WebAuthnDevice.objects.filter(user=registered.user).count() == 2


def test_registering_again_needs_a_verified_session(registered, authenticator, ceremonies):
    response = ceremonies.post("register-begin")
    assert response.status_code == 403
    assert response.json()["error"] == "verification_required"


def test_the_same_credential_cannot_be_registered_twice(user, other_user, client, ceremonies):
    key = Authenticator()
    client.force_login(user)
    assert ceremonies.register(key).status_code == 200
    client.force_login(other_user)
    response = ceremonies.register(key)
    assert response.status_code == 409
    assert response.json()["error"] == "already_registered"


def test_register_needs_a_signed_in_user(ceremonies):
    response = ceremonies.post("register-begin")
    assert (response.status_code, response.json()["error"]) == (401, "login_required")


def test_password_plus_key(registered, authenticator, ceremonies, client, user):
    options = ceremonies.begin("authenticate")
    assert [unb64(c["id"]) for c in options["allowCredentials"]] == [authenticator.credential_id]
    assert options["rpId"] == "example.com"
    old_key = client.session.session_key
    response = ceremonies.post("authenticate-complete", authenticator.get(options))
    assert response.status_code == 200, response.content
    assert response.json()["redirect"] == "/"
    assert client.session.session_key != old_key
    [verification] = second_factor_verifications(client.session)
    assert verification.device_id == registered.persistent_id
    assert verification.amr == "hwk"
    assert not verification.passwordless
    registered.refresh_from_db()
    assert registered.sign_count == 1
    assert registered.last_used_at is not None
    # The session passes otp_required and a hardware-key policy.
    page = client.get(reverse("step_up"))
    assert page.status_code == 200


def test_synced_passkey_is_swk_and_does_not_meet_aal3(user, client, ceremonies):
    client.force_login(user)
    key = Authenticator(synced=True, counter=False)
    assert ceremonies.register(key).status_code == 200
    device = WebAuthnDevice.objects.get()
    assert device.backup_eligible
    assert device.backed_up
    assert device.factor_kind == "swk"
    options = ceremonies.begin("authenticate")
    assert ceremonies.post("authenticate-complete", key.get(options)).status_code == 200
    [verification] = second_factor_verifications(client.session)
    assert verification.amr == "swk"
    assert not Policy(factors={"hwk"}).accepts(verification, verification.at)
    assert not Policy(level=AAL3).accepts(verification, verification.at)
    assert Policy().accepts(verification, verification.at)


def test_device_bound_key_meets_hwk_and_aal3(registered, authenticator, ceremonies, client):
    options = ceremonies.begin("authenticate")
    ceremonies.post("authenticate-complete", authenticator.get(options))
    [verification] = second_factor_verifications(client.session)
    assert Policy(factors={"hwk"}).accepts(verification, verification.at)
    assert Policy(level=AAL3).accepts(verification, verification.at)


def test_a_challenge_is_used_once(registered, authenticator, ceremonies):
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options)
    assert ceremonies.post("authenticate-complete", answer).status_code == 200
    replay = ceremonies.post("authenticate-complete", answer)
    assert (replay.status_code, replay.json()["error"]) == (400, "no_challenge")


def test_a_failed_attempt_uses_up_the_challenge(registered, authenticator, ceremonies):
    options = ceremonies.begin("authenticate")
    bad = ceremonies.post("authenticate-complete", authenticator.get(options, up=False))
    assert bad.json()["error"] == "user_not_present"
    good = ceremonies.post("authenticate-complete", authenticator.get(options))
    assert good.json()["error"] == "no_challenge"


def test_a_challenge_expires(registered, authenticator, ceremonies, settings, monkeypatch):
    import time as time_module

    options = ceremonies.begin("authenticate")
    real = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real() + 301)
    response = ceremonies.post("authenticate-complete", authenticator.get(options))
    assert (response.status_code, response.json()["error"]) == (400, "challenge_expired")


def test_second_factor_with_the_device_protocol(registered, authenticator, rf, user, client):
    """generate_challenge()/verify_token() work for a UI's generic verification step."""
    request = rf.post("/")
    request.session = client.session
    request.user = user
    challenge = registered.generate_challenge(request)
    assert challenge.data["allowCredentials"][0]["id"]
    wrong = authenticator.get(challenge.data, challenge="AAAA")
    assert registered.verify_token(wrong, request=request) is False
    assert registered.verify_token(authenticator.get(challenge.data), request=request) is False
    challenge = registered.generate_challenge(request)
    import json

    assert registered.verify_token(json.dumps(authenticator.get(challenge.data)), request=request)
    assert registered.sign_count == 3


def test_a_typed_code_never_matches(registered):
    assert registered.verify_token("123456") is False
    from otp_core.verification import verify

    assert verify(registered, '{"id": "x"}').reason == "mismatch"


def test_session_records_at_most_the_session_key(registered, authenticator, ceremonies, client):
    options = ceremonies.begin("authenticate")
    ceremonies.post("authenticate-complete", authenticator.get(options))
    assert VERIFICATIONS_SESSION_KEY in client.session
    assert "otp_webauthn_pending" in client.session
    assert client.session["otp_webauthn_pending"] == {}
    fresh_login(client, registered.user)


def test_a_user_with_an_empty_user_name_can_register(django_user_model, client, ceremonies):
    nameless = django_user_model.objects.create(username="")
    client.force_login(nameless)
    options = ceremonies.begin("register")
    assert options["user"]["name"] == str(nameless.pk)

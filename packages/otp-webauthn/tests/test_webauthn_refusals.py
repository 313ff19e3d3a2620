"""Every check of WebAuthn L3 §7.1 and §7.2 is a refusal of its own (JSON 4xx, stable code)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from otp_core.models import AccountThrottle
from otp_core.session import second_factor_verifications
from otp_webauthn.models import WebAuthnDevice
from otp_webauthn.signals import clone_suspected

from .authenticator import AT, UP, UV, Authenticator, attestation_chain, b64

pytestmark = pytest.mark.django_db


def refused(response, code, status=400):
    assert (response.status_code, response.json()["error"]) == (status, code), response.content
    return True


# -- authentication (§7.2) ---------------------------------------------------------

ASSERTION_SPOILERS = {
    "bad_challenge": {"challenge": b64(b"\x00" * 32)},
    "bad_origin": {"origin": "https://evil.example"},
    "bad_rp_id": {"rp_id": "evil.example"},
    "bad_type": {"kind": "webauthn.create"},
    "user_not_present": {"up": False},
}


@pytest.mark.parametrize("code", sorted(ASSERTION_SPOILERS))
def test_assertion_refusal(code, registered, authenticator, ceremonies, client):
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options, **ASSERTION_SPOILERS[code])
    assert refused(ceremonies.post("authenticate-complete", answer), code)
    assert second_factor_verifications(client.session) == []
    registered.refresh_from_db()
    assert registered.sign_count == 0
    assert registered.throttling_failure_count == 0  # no guess: see test_refusals_lock_nothing


def test_credential_type_must_be_public_key(registered, authenticator, ceremonies):
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options, credential_type="password")
    assert refused(ceremonies.post("authenticate-complete", answer), "bad_type")


def test_cross_origin_iframe_is_refused(registered, authenticator, ceremonies):
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options, crossOrigin=True)
    assert refused(ceremonies.post("authenticate-complete", answer), "bad_origin")


def test_user_verification_when_required(registered, authenticator, ceremonies, settings):
    settings.OTP_WEBAUTHN_USER_VERIFICATION = "required"
    options = ceremonies.begin("authenticate")
    assert options["userVerification"] == "required"
    answer = authenticator.get(options, uv=False)
    assert refused(ceremonies.post("authenticate-complete", answer), "user_not_verified")
    # Preferred: the same answer passes.
    settings.OTP_WEBAUTHN_USER_VERIFICATION = "preferred"
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options, uv=False)
    assert ceremonies.post("authenticate-complete", answer).status_code == 200


def test_bad_signature(registered, authenticator, ceremonies):
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options, signer=Authenticator())
    assert refused(ceremonies.post("authenticate-complete", answer), "bad_signature")


def test_backup_eligibility_cannot_change(registered, authenticator, ceremonies):
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options, flags=UP | UV | 0x08)
    assert refused(ceremonies.post("authenticate-complete", answer), "bad_flags")


def test_another_users_credential(registered, authenticator, ceremonies, client, other_user):
    other_key = Authenticator()
    client.force_login(other_user)
    assert ceremonies.register(other_key).status_code == 200
    # Alice (password only) answers with Bob's key.
    client.force_login(registered.user)
    options = ceremonies.begin("authenticate")
    other_key.user_handle = authenticator.user_handle
    answer = other_key.get(options)
    assert refused(ceremonies.post("authenticate-complete", answer), "unknown_credential")
    # And her own key with Bob's user handle.
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options, user_handle=b"\x01" * 64)
    assert refused(ceremonies.post("authenticate-complete", answer), "unknown_credential")


@pytest.mark.parametrize(("stored", "received"), [(5, 5), (5, 3), (5, 0), (0, 0)])
def test_sign_count_must_go_up(stored, received, registered, authenticator, ceremonies):
    WebAuthnDevice.objects.filter(pk=registered.pk).update(sign_count=stored)
    flagged = []

    def receiver(**kw):
        flagged.append((kw["device"].pk, kw["stored_count"], kw["received_count"]))

    clone_suspected.connect(receiver)
    try:
        options = ceremonies.begin("authenticate")
        response = ceremonies.post(
            "authenticate-complete", authenticator.get(options, count=received)
        )
    finally:
        clone_suspected.disconnect(receiver)
    registered.refresh_from_db()
    if stored == received == 0:  # a counter-less authenticator: nothing to compare
        assert response.status_code == 200
        assert not registered.clone_suspected
        assert flagged == []
        return
    assert refused(response, "sign_count")
    assert registered.clone_suspected
    assert registered.sign_count == stored
    assert flagged == [(registered.pk, stored, received)]
    # A flagged key refuses even a good assertion until an administrator clears it.
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options, count=stored + 10)
    assert refused(ceremonies.post("authenticate-complete", answer), "locked", 403)


def test_forged_low_counter_does_not_flag_the_key(registered, authenticator, ceremonies):
    """Only a validly signed assertion may flag a key as cloned."""
    WebAuthnDevice.objects.filter(pk=registered.pk).update(sign_count=5)
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options, count=1, signer=Authenticator())
    assert refused(ceremonies.post("authenticate-complete", answer), "bad_signature")
    registered.refresh_from_db()
    assert not registered.clone_suspected


def test_refusals_lock_nothing(registered, authenticator, ceremonies, settings, user):
    """Bad assertions are no guesses: posting many throttles and locks nothing.

    Whoever knows a credential id could otherwise lock its owner out.
    """
    settings.OTP_WEBAUTHN_THROTTLE_FACTOR = 60
    settings.OTP_LOCKOUT_FAILURES = 3
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 3
    forger = Authenticator()
    for _ in range(6):
        options = ceremonies.begin("authenticate")
        answer = authenticator.get(options, signer=forger)
        assert refused(ceremonies.post("authenticate-complete", answer), "bad_signature")
    registered.refresh_from_db()
    assert registered.throttling_failure_count == 0
    assert not AccountThrottle.objects.filter(user=user, failure_count__gt=0).exists()
    options = ceremonies.begin("authenticate")
    response = ceremonies.post("authenticate-complete", authenticator.get(options))
    assert response.status_code == 200, response.content


def test_a_locked_account_refuses_a_good_key(registered, authenticator, ceremonies, user):
    AccountThrottle.objects.update_or_create(
        user=user, defaults={"failure_count": 100, "locked_at": timezone.now()}
    )
    options = ceremonies.begin("authenticate")
    response = ceremonies.post("authenticate-complete", authenticator.get(options))
    assert refused(response, "locked", 403)
    registered.refresh_from_db()
    assert registered.sign_count == 0


# -- registration (§7.1) -----------------------------------------------------------

REGISTRATION_SPOILERS = {
    "bad_challenge": {"challenge": b64(b"\x00" * 32)},
    "bad_origin": {"origin": "https://evil.example"},
    "bad_rp_id": {"rp_id": "evil.example"},
    "bad_type": {"kind": "webauthn.get"},
    "user_not_present": {"flags": AT | UV},
}


@pytest.mark.parametrize("code", sorted(REGISTRATION_SPOILERS))
def test_registration_refusal(code, user, client, ceremonies):
    client.force_login(user)
    options = ceremonies.begin("register")
    answer = Authenticator().create(options, **REGISTRATION_SPOILERS[code])
    assert refused(ceremonies.post("register-complete", answer), code)
    assert not WebAuthnDevice.objects.exists()


def test_registration_user_verification_when_required(user, client, ceremonies, settings):
    settings.OTP_WEBAUTHN_USER_VERIFICATION = "required"
    client.force_login(user)
    options = ceremonies.begin("register")
    answer = Authenticator().create(options, uv=False)
    assert refused(ceremonies.post("register-complete", answer), "user_not_verified")


def test_registration_bad_self_attestation_signature(user, client, ceremonies, settings):
    settings.OTP_WEBAUTHN_ATTESTATION = "direct"
    client.force_login(user)
    key = Authenticator()
    options = ceremonies.begin("register")
    assert options["attestation"] == "direct"
    answer = key.create(options, fmt="packed")
    assert ceremonies.post("register-complete", answer).status_code == 200
    assert WebAuthnDevice.objects.get().attestation_format == "packed"


@pytest.mark.parametrize("name", ["", " ", "x" * 65, 7, ["a"], "a\x00b", "\ud800"])
def test_registration_bad_name(name, user, client, ceremonies):
    client.force_login(user)
    options = ceremonies.begin("register")
    body = Authenticator().create(options)
    body["name"] = name
    assert refused(ceremonies.post("register-complete", body), "bad_name")


def test_allowed_aaguids_refuse_none_and_self_attestation(allow_list, user, client, ceremonies):
    """An AAGUID is a claim unless a certificate chain vouches for it."""
    aaguid = YUBIKEY_5
    client.force_login(user)
    for fmt in ("none", "packed"):
        options = ceremonies.begin("register")
        answer = Authenticator(aaguid=aaguid).create(options, fmt=fmt)
        assert refused(ceremonies.post("register-complete", answer), "attestation_untrusted")
    assert not WebAuthnDevice.objects.exists()


YUBIKEY_5 = bytes.fromhex("cb69481e8ff7403993ec0a2729a154a8")
OTHER_MODEL = bytes.fromhex("ee882879721c491397753dfcce97072a")


@pytest.fixture
def allow_list(settings):
    """Only YUBIKEY_5 may register; a vendor root vouches for packed attestations."""
    root, key, cert = attestation_chain(YUBIKEY_5)
    settings.OTP_WEBAUTHN_ALLOWED_AAGUIDS = ["CB69481E-8FF7-4039-93EC-0A2729A154A8"]
    settings.OTP_WEBAUTHN_ATTESTATION = "direct"
    settings.OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT = {"packed": [root]}
    return key, cert


def test_allowed_aaguid_with_a_trusted_chain_registers(allow_list, user, client, ceremonies):
    key, cert = allow_list
    client.force_login(user)
    options = ceremonies.begin("register")
    answer = Authenticator(aaguid=YUBIKEY_5).create(
        options, fmt="packed", attestation_key=key, x5c=[cert]
    )
    assert ceremonies.post("register-complete", answer).status_code == 200
    assert WebAuthnDevice.objects.get().aaguid == "cb69481e-8ff7-4039-93ec-0a2729a154a8"


def test_another_model_is_refused(settings, user, client, ceremonies):
    root, key, cert = attestation_chain(OTHER_MODEL)
    settings.OTP_WEBAUTHN_ALLOWED_AAGUIDS = ["cb69481e-8ff7-4039-93ec-0a2729a154a8"]
    settings.OTP_WEBAUTHN_ATTESTATION = "direct"
    settings.OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT = {"packed": [root]}
    client.force_login(user)
    options = ceremonies.begin("register")
    answer = Authenticator(aaguid=OTHER_MODEL).create(
        options, fmt="packed", attestation_key=key, x5c=[cert]
    )
    assert refused(ceremonies.post("register-complete", answer), "aaguid_not_allowed")


def test_a_certificate_for_another_model_is_refused(allow_list, user, client, ceremonies):
    """The authenticator claims the allowed model; its certificate names another."""
    _key, _cert = allow_list
    root, key, cert = attestation_chain(OTHER_MODEL)
    from django.conf import settings

    settings.OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT = {"packed": [root]}
    client.force_login(user)
    options = ceremonies.begin("register")
    answer = Authenticator(aaguid=YUBIKEY_5).create(
        options, fmt="packed", attestation_key=key, x5c=[cert]
    )
    assert refused(ceremonies.post("register-complete", answer), "attestation_untrusted")


def test_a_chain_from_an_unknown_root_is_refused(allow_list, user, client, ceremonies):
    _root, key, cert = attestation_chain(YUBIKEY_5)  # same model, someone else's root
    client.force_login(user)
    options = ceremonies.begin("register")
    answer = Authenticator(aaguid=YUBIKEY_5).create(
        options, fmt="packed", attestation_key=key, x5c=[cert]
    )
    assert refused(ceremonies.post("register-complete", answer), "bad_signature")


def test_the_reason_reaches_otp_cores_result(registered, authenticator):
    """otp-core's result (and verification_failed) carries the code, never the assertion."""
    import secrets

    from otp_core.verification import verify
    from otp_webauthn.assertion import AssertionToken

    challenge = secrets.token_bytes(32)
    answer = authenticator.get({"challenge": b64(challenge)}, origin="https://evil.example")
    token = AssertionToken(answer, expected_challenge=challenge, require_user_verification=False)
    result = verify(registered, token)
    assert (result.reason, result.details) == ("mismatch", {"webauthn": "bad_origin"})

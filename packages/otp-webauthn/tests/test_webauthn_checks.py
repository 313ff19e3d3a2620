"""System checks and settings: wrong values fail at start-up; django-two-factor-auth names work."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks

from otp_webauthn import conf
from otp_webauthn.checks import (
    check_backend,
    check_relying_party,
    check_session_engine,
    check_settings,
)


def ids(messages):
    return sorted({m.id for m in messages})


def test_project_settings_pass():
    assert [m for m in run_checks() if m.id.startswith("otp_webauthn")] == []


def test_rp_and_origins_unset_without_debug(settings):
    del settings.OTP_WEBAUTHN_RP_ID
    del settings.OTP_WEBAUTHN_ALLOWED_ORIGINS
    settings.DEBUG = False
    assert ids(check_relying_party()) == ["otp_webauthn.E001", "otp_webauthn.E002"]
    settings.DEBUG = True
    assert check_relying_party() == []
    assert conf.rp_id() == "localhost"
    assert conf.origin_allowed("http://localhost:8123")
    assert conf.origin_allowed("https://localhost")
    for origin in ("http://evil.example", "http://localhost.evil.example", "http://x@localhost"):
        assert not conf.origin_allowed(origin)


@pytest.mark.parametrize(
    ("rp", "origins", "expected"),
    [
        ("https://example.com", ["https://example.com"], ["otp_webauthn.E001"]),
        ("example.com:443", ["https://example.com"], ["otp_webauthn.E001"]),
        ("example.com", "https://example.com/path", ["otp_webauthn.E002"]),
        ("example.com", ["https://other.example"], ["otp_webauthn.E002"]),
        ("example.com", [], ["otp_webauthn.E002"]),
        ("example.com", [7], ["otp_webauthn.E002"]),
        ("example.com", ["http://example.com"], ["otp_webauthn.W001"]),
        ("example.com", ["https://login.example.com", "https://example.com:8443"], []),
    ],
)
def test_relying_party_values(settings, rp, origins, expected):
    settings.DEBUG = False
    settings.OTP_WEBAUTHN_RP_ID = rp
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = origins
    assert ids(check_relying_party()) == expected


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("OTP_WEBAUTHN_RP_NAME", "", "otp_webauthn.E004"),
        ("OTP_WEBAUTHN_PASSWORDLESS", "yes", "otp_webauthn.E005"),
        ("OTP_WEBAUTHN_SIGNUP", 1, "otp_webauthn.E005"),
        ("OTP_WEBAUTHN_USER_VERIFICATION", "always", "otp_webauthn.E006"),
        ("OTP_WEBAUTHN_ATTESTATION", "indirect", "otp_webauthn.E007"),
        ("OTP_WEBAUTHN_ALLOWED_AAGUIDS", ["not-a-uuid"], "otp_webauthn.E008"),
        ("OTP_WEBAUTHN_ALLOWED_AAGUIDS", [], "otp_webauthn.E008"),
        (
            "OTP_WEBAUTHN_ALLOWED_AAGUIDS",
            ["cb69481e-8ff7-4039-93ec-0a2729a154a8"],
            "otp_webauthn.E008",
        ),
        ("OTP_WEBAUTHN_CHALLENGE_TIMEOUT", 0, "otp_webauthn.E009"),
        ("OTP_WEBAUTHN_MAX_BODY_SIZE", "big", "otp_webauthn.E009"),
        ("OTP_WEBAUTHN_THROTTLE_FACTOR", -1, "otp_webauthn.E009"),
    ],
)
def test_bad_settings(settings, name, value, expected):
    setattr(settings, name, value)
    assert expected in ids(check_settings())


def test_allow_list_with_direct_attestation_warns_without_roots(settings):
    settings.OTP_WEBAUTHN_ATTESTATION = "direct"
    settings.OTP_WEBAUTHN_ALLOWED_AAGUIDS = ["cb69481e-8ff7-4039-93ec-0a2729a154a8"]
    assert ids(check_settings()) == ["otp_webauthn.W002"]
    settings.OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT = {"packed": [b"-----BEGIN..."]}
    assert check_settings() == []


def test_passkeys_need_the_backend(settings):
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert ids(check_backend()) == ["otp_webauthn.E003"]
    settings.OTP_WEBAUTHN_PASSWORDLESS = False
    assert check_backend() == []
    settings.OTP_WEBAUTHN_SIGNUP = True
    assert ids(check_backend()) == ["otp_webauthn.E003"]


def test_signup_needs_passwordless(settings):
    settings.OTP_WEBAUTHN_PASSWORDLESS = False
    settings.OTP_WEBAUTHN_SIGNUP = True
    assert ids(check_backend()) == ["otp_webauthn.E010"]


def test_two_factor_auth_names_are_fallbacks(settings):
    del settings.OTP_WEBAUTHN_RP_ID
    settings.TWO_FACTOR_WEBAUTHN_RP_ID = "legacy.example"
    settings.TWO_FACTOR_WEBAUTHN_UV_REQUIREMENT = "required"
    del settings.OTP_WEBAUTHN_THROTTLE_FACTOR
    settings.TWO_FACTOR_WEBAUTHN_THROTTLE_FACTOR = 3
    assert conf.rp_id() == "legacy.example"
    assert conf.setting("OTP_WEBAUTHN_USER_VERIFICATION") == "required"
    assert conf.setting("OTP_WEBAUTHN_THROTTLE_FACTOR") == 3
    # Ours wins when both are set.
    settings.OTP_WEBAUTHN_RP_ID = "new.example"
    assert conf.rp_id() == "new.example"
    # An unknown django-two-factor-auth conveyance is reported under our name.
    settings.TWO_FACTOR_WEBAUTHN_ATTESTATION_CONVEYANCE = "indirect"
    assert "otp_webauthn.E007" in ids(check_settings())


def test_signed_cookie_sessions_warn(settings):
    assert check_session_engine() == []
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    assert ids(check_session_engine()) == ["otp_webauthn.W003"]


def test_urls_not_included_is_a_warning(settings):
    from otp_webauthn.checks import check_urls_included

    assert check_urls_included() == []
    settings.ROOT_URLCONF = "otp_webauthn.tests_empty_urls"
    import sys
    import types

    module = types.ModuleType("otp_webauthn.tests_empty_urls")
    module.urlpatterns = []
    sys.modules[module.__name__] = module
    try:
        [warning] = check_urls_included()
    finally:
        del sys.modules[module.__name__]
    assert warning.id == "otp_webauthn.W050"

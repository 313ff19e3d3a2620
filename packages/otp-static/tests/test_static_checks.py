"""System checks of the OTP_STATIC_* settings."""

from __future__ import annotations

import pytest

from otp_static.checks import check_static_settings


def ids(settings_obj=None) -> list[str]:
    return [message.id for message in check_static_settings()]


def test_the_defaults_pass():
    assert ids() == []


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("OTP_STATIC_THROTTLE_FACTOR", -1, "otp_static.E001"),
        ("OTP_STATIC_THROTTLE_FACTOR", "1", "otp_static.E001"),
        ("OTP_STATIC_TOKEN_COUNT", 0, "otp_static.E002"),
        ("OTP_STATIC_TOKEN_COUNT", 1001, "otp_static.E002"),
        ("OTP_STATIC_TOKEN_COUNT", True, "otp_static.E002"),
        ("OTP_STATIC_TOKEN_LENGTH", 3, "otp_static.E003"),
        ("OTP_STATIC_TOKEN_LENGTH", 65, "otp_static.E003"),
        ("OTP_STATIC_TOKEN_LENGTH", "10", "otp_static.E003"),
        ("OTP_STATIC_TOKEN_ALPHABET", "a", "otp_static.E004"),
        ("OTP_STATIC_TOKEN_ALPHABET", "aaaa", "otp_static.E004"),
        ("OTP_STATIC_TOKEN_ALPHABET", "abc-def", "otp_static.E004"),
        ("OTP_STATIC_TOKEN_ALPHABET", "abc def", "otp_static.E004"),
        ("OTP_STATIC_TOKEN_ALPHABET", ["a", "b"], "otp_static.E004"),
        ("OTP_STATIC_LOW_CODES", -1, "otp_static.E005"),
        ("OTP_STATIC_LOW_CODES", None, "otp_static.E005"),
    ],
)
def test_wrong_values_are_errors(settings, name, value, error):
    setattr(settings, name, value)
    assert ids() == [error]


def test_weak_codes_are_warned_about(settings):
    settings.OTP_STATIC_TOKEN_LENGTH = 8  # 8 x log2(31) = 39.6 bits
    assert ids() == ["otp_static.W001"]
    settings.OTP_STATIC_TOKEN_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # 32 symbols
    assert ids() == []


def test_the_checks_are_registered(settings):
    from django.core import checks

    settings.OTP_STATIC_TOKEN_COUNT = 0
    found = [m.id for m in checks.run_checks() if m.id.startswith("otp_static.")]
    assert found == ["otp_static.E002"]

"""System checks of otp-totp's settings."""

from __future__ import annotations

import pytest

from otp_totp.checks import check_totp_settings


def _ids() -> set[str]:
    return {e.id for e in check_totp_settings()}


def test_defaults_pass():
    assert check_totp_settings() == []


@pytest.mark.parametrize(
    ("name", "value", "error_id"),
    [
        ("OTP_TOTP_SYNC", "yes", "otp_totp.E001"),
        ("OTP_TOTP_THROTTLE_FACTOR", -1, "otp_totp.E002"),
        ("OTP_TOTP_THROTTLE_FACTOR", "1", "otp_totp.E002"),
        ("OTP_TOTP_ISSUER", 42, "otp_totp.E003"),
        ("OTP_TOTP_IMAGE", 3, "otp_totp.E004"),
        ("TWO_FACTOR_TOTP_DIGITS", 7, "otp_totp.E005"),
        ("TWO_FACTOR_QR_FACTORY", "no.such.Factory", "otp_totp.E006"),
    ],
)
def test_bad_settings_have_ids(settings, name, value, error_id):
    setattr(settings, name, value)
    assert error_id in _ids()


def test_good_values_pass(settings):
    settings.OTP_TOTP_ISSUER = lambda device: "Example"
    settings.OTP_TOTP_IMAGE = "https://example.com/logo.png"
    settings.TWO_FACTOR_TOTP_DIGITS = 8
    settings.OTP_TOTP_SYNC = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 0.5
    settings.TWO_FACTOR_QR_FACTORY = "qrcode.image.svg.SvgImage"
    assert check_totp_settings() == []

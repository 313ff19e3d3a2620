"""System checks of otp-hotp's settings."""

from __future__ import annotations

import pytest

from otp_hotp.checks import check_hotp_settings


def test_defaults_pass():
    assert check_hotp_settings() == []


@pytest.mark.parametrize(
    ("name", "value", "error_id"),
    [
        ("OTP_HOTP_THROTTLE_FACTOR", -1, "otp_hotp.E001"),
        ("OTP_HOTP_THROTTLE_FACTOR", True, "otp_hotp.E001"),
        ("OTP_HOTP_ISSUER", 42, "otp_hotp.E002"),
        ("OTP_HOTP_IMAGE", ["x"], "otp_hotp.E003"),
        ("TWO_FACTOR_QR_FACTORY", "no.such.Factory", "otp_hotp.E004"),
    ],
)
def test_bad_settings_have_ids(settings, name, value, error_id):
    setattr(settings, name, value)
    assert error_id in {e.id for e in check_hotp_settings()}


def test_good_values_pass(settings):
    settings.OTP_HOTP_ISSUER = lambda device: "Example"
    settings.OTP_HOTP_IMAGE = "https://example.com/logo.png"
    settings.OTP_HOTP_THROTTLE_FACTOR = 2
    assert check_hotp_settings() == []

"""Settings of otp-totp with their defaults, read at access time."""

from __future__ import annotations

from typing import Any

from otp_core.conf import AppSettings

__all__ = ["DEFAULTS", "totp_settings"]

DEFAULTS: dict[str, Any] = {
    # Learn the clock drift of a device from codes a step or more off.
    "OTP_TOTP_SYNC": True,
    # Seconds of delay after the first failure, doubling with each failure.
    "OTP_TOTP_THROTTLE_FACTOR": 1,
    # Issuer shown by authenticator apps: a string, a callable taking the
    # device, or None for no issuer.
    "OTP_TOTP_ISSUER": None,
    # URL of a logo for apps that show one (FreeOTP).
    "OTP_TOTP_IMAGE": None,
    # Code length of newly set up devices: 6 or 8.
    "TWO_FACTOR_TOTP_DIGITS": 6,
}


totp_settings = AppSettings(DEFAULTS)


def default_digits() -> int:
    """Digits of a new device: ``TWO_FACTOR_TOTP_DIGITS`` (6 unless set to 8)."""
    value = totp_settings.TWO_FACTOR_TOTP_DIGITS
    return value if value in (6, 8) else 6

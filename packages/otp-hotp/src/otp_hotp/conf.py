"""Settings of otp-hotp with their defaults, read at access time."""

from __future__ import annotations

from typing import Any

from otp_core.conf import AppSettings

__all__ = ["DEFAULTS", "hotp_settings"]

DEFAULTS: dict[str, Any] = {
    # Seconds of delay after the first failure, doubling with each failure.
    "OTP_HOTP_THROTTLE_FACTOR": 1,
    # Issuer shown by authenticator apps: a string, a callable taking the
    # device, or None for no issuer.
    "OTP_HOTP_ISSUER": None,
    # URL of a logo for apps that show one (FreeOTP).
    "OTP_HOTP_IMAGE": None,
}


hotp_settings = AppSettings(DEFAULTS)

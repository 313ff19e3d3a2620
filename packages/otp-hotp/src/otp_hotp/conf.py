"""Settings of otp-hotp with their defaults, read at access time."""

from __future__ import annotations

from typing import Any

from django.conf import settings

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


class _Settings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(settings, name, DEFAULTS[name])


hotp_settings = _Settings()

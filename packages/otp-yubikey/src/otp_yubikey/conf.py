"""Settings of otp-yubikey with their defaults, read at access time."""

from __future__ import annotations

from typing import Any

from otp_core.conf import AppSettings

__all__ = ["DEFAULTS", "yubikey_settings"]

DEFAULTS: dict[str, Any] = {
    # Seconds of delay after the first failure, doubling with each failure
    # (django-otp-yubikey's name).
    "OTP_YUBIKEY_THROTTLE_FACTOR": 1,
    # Name of the ValidationService that keys set up through a UI are checked
    # against (django-two-factor-auth uses the one named "default").
    "OTP_YUBIKEY_SETUP_SERVICE": "default",
}


yubikey_settings = AppSettings(DEFAULTS)

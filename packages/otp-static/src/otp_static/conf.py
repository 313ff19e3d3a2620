"""Settings of otp-static, each with its documented default.

Read them through ``static_settings.NAME`` at access time, so that
``override_settings`` works in tests.
"""

from __future__ import annotations

from typing import Any

from otp_core.conf import AppSettings

__all__ = ["DEFAULTS", "static_settings"]

DEFAULTS: dict[str, Any] = {
    # Delay doubling after failures: factor * 1, 2, 4, 8 ... seconds. 0 disables.
    "OTP_STATIC_THROTTLE_FACTOR": 1,
    # How many codes a set holds (django-two-factor-auth generates 10).
    "OTP_STATIC_TOKEN_COUNT": 10,
    # Characters per code: 10 from the 31-symbol default alphabet is 49.5 bits.
    "OTP_STATIC_TOKEN_LENGTH": 10,
    # Lower-case letters and digits without the look-alikes 0, 1, i, l and o.
    "OTP_STATIC_TOKEN_ALPHABET": "23456789abcdefghjkmnpqrstuvwxyz",
    # A set with this many codes or fewer left is "low": UIs suggest new ones.
    "OTP_STATIC_LOW_CODES": 2,
}


static_settings = AppSettings(DEFAULTS)

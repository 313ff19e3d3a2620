"""Settings of otp-core, each with its documented default.

Read them through ``otp_settings.NAME``: the value comes from Django's settings
when the project sets it and from :data:`DEFAULTS` otherwise, at access time,
so ``override_settings`` in tests works as expected.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

__all__ = ["DEFAULTS", "AppSettings", "otp_settings"]

DEFAULTS: dict[str, Any] = {
    # Where otp_required and OTPRequiredMixin send a user who must verify.
    # None means settings.LOGIN_URL.
    "OTP_LOGIN_URL": None,
    # Keys that encrypt device secrets and key the hashes of one-time codes.
    # The first encrypts; every key decrypts. None derives one from SECRET_KEY
    # (and SECRET_KEY_FALLBACKS), which a system check warns about.
    "OTP_ENCRYPTION_KEYS": None,
    # Delay doubling after failures: factor * 1, 2, 4, 8 ... seconds. 0 disables.
    "OTP_THROTTLE_FACTOR": 1,
    # Consecutive failures after which a device refuses every token until an
    # administrator resets it (NIST SP 800-63B, 5.2.2). 0 disables the lock.
    "OTP_LOCKOUT_FAILURES": 100,
    # Hide device secrets and user names of other users in the admin.
    "OTP_ADMIN_HIDE_SENSITIVE_DATA": False,
    # How many verifications a session remembers (the newest are kept).
    "OTP_SESSION_MAX_VERIFICATIONS": 10,
}


class AppSettings:
    """Settings of one package: Django's value when the project sets it, else the default.

    Read at access time, so ``override_settings`` works; a name without a
    default is an ``AttributeError`` (a typo, not a silent ``None``). Plugins
    make their own: ``totp_settings = AppSettings(DEFAULTS)``.
    """

    def __init__(self, defaults: dict[str, Any]) -> None:
        self._defaults = defaults

    def __getattr__(self, name: str) -> Any:
        try:
            default = self._defaults[name]
        except KeyError:
            raise AttributeError(name) from None
        return getattr(settings, name, default)


otp_settings = AppSettings(DEFAULTS)

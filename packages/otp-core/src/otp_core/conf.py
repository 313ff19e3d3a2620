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
    # Consecutive failed attempts on any of a user's devices after which every
    # device of the account refuses tokens until an administrator unlocks it
    # (NIST SP 800-63B, 5.2.2: at most 100). 0 disables the account lock; the
    # count goes on (it sets the delay when no device is chosen).
    "OTP_ACCOUNT_LOCKOUT_FAILURES": 100,
    # Hide device secrets and user names of other users in the admin.
    "OTP_ADMIN_HIDE_SENSITIVE_DATA": False,
    # How many verifications a session remembers (the newest are kept).
    "OTP_SESSION_MAX_VERIFICATIONS": 10,
    # Named policies: {"payments": {"factors": ["hwk"], "max_age": 300}}, used
    # as otp_required(policy="payments"). Keys: factors, max_age, level,
    # passwordless, phishing_resistant (or a Policy object as the value).
    "OTP_POLICIES": {},
    # Policies for URLs of views you do not own (OTPPolicyMiddleware): a list
    # of (path prefix or regular expression, policy name or None), first match
    # wins; None exempts the paths it matches.
    "OTP_POLICY_URLS": [],
    # Where a signed-in user who misses a policy goes to prove it (a URL or URL
    # name). None: two-factor-ui's step-up page when installed, else OTP_LOGIN_URL.
    "OTP_STEP_UP_URL": None,
    # Authentication backends that check a password: a login through one of
    # them records the factor kind "pwd" (policies may ask for a recent one).
    "OTP_PASSWORD_BACKENDS": [
        "django.contrib.auth.backends.ModelBackend",
        "django.contrib.auth.backends.AllowAllUsersModelBackend",
    ],
    # The OIDC "acr" value of each assurance level (otp_core.claims).
    "OTP_ACR_VALUES": {1: "aal1", 2: "aal2", 3: "aal3"},
    # E-mail users when their second factors change (otp_core.notifications).
    # None: on when the project sets MAILERS or EMAIL_BACKEND itself; True/False force it.
    "OTP_NOTIFY_USERS": None,
    # Sender of those mails; None means settings.DEFAULT_FROM_EMAIL.
    "OTP_NOTIFY_FROM_EMAIL": None,
    # Send budgets (text messages, calls, e-mails): at most N messages per
    # window of S seconds, as a list of (N, S) pairs; every pair must hold.
    # Counted in the SendRecord ledger, so no set-up restart or new device
    # resets them. An empty list switches that budget off.
    # Per destination (a phone number, an e-mail address), whoever asks:
    "OTP_SEND_BUDGET_DESTINATION": [(3, 10 * 60), (10, 24 * 60 * 60)],
    # Per user account, whatever the destination:
    "OTP_SEND_BUDGET_USER": [(5, 10 * 60), (20, 24 * 60 * 60)],
    # Per client address (see OTP_CLIENT_ADDRESS_HEADER), whatever the account:
    "OTP_SEND_BUDGET_CLIENT": [(10, 10 * 60), (50, 24 * 60 * 60)],
    # The request.META key holding the client's address for the client budget.
    # REMOTE_ADDR unless a trusted proxy in front of the site sets another
    # header (e.g. "HTTP_X_REAL_IP"); never a header the client can set.
    "OTP_CLIENT_ADDRESS_HEADER": "REMOTE_ADDR",
    # Seconds an unconfirmed device from an unfinished set-up is kept; older
    # ones are deleted when the user starts a set-up again (and by
    # manage.py otp_prune_sends).
    "OTP_PENDING_DEVICE_TTL": 24 * 60 * 60,
    # Moving over: a session verified by django-otp (and a remember cookie of
    # django-two-factor-auth) counts as verified by the device imported from
    # it, once rewritten in this package's format. For one release: the
    # setting and the behaviour go away in 0.2.0. False turns both off.
    "OTP_LEGACY_SESSIONS": True,
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

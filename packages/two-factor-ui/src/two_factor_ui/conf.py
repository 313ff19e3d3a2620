"""Settings of two-factor-ui, each with its documented default.

Read them through ``ui_settings.NAME``: the project's value when set, the
default otherwise, looked up at access time so ``override_settings`` works.
"""

from __future__ import annotations

from typing import Any

from otp_core.conf import AppSettings

__all__ = ["DEFAULTS", "ui_settings"]

DEFAULTS: dict[str, Any] = {
    # Send the admin's login page to the two-factor login.
    "TWO_FACTOR_PATCH_ADMIN": True,
    # Seconds between the password step and the token step before the login
    # starts over; 0 disables the limit.
    "TWO_FACTOR_LOGIN_TIMEOUT": 600,
    # Dotted path of a python-qrcode image factory (otp_core.qr.DEFAULT_FACTORY:
    # SVG, no imaging library needed). None also means that default.
    "TWO_FACTOR_QR_FACTORY": "qrcode.image.svg.SvgPathImage",
    # Remember-browser: None turns it off; seconds the cookie stays valid.
    "TWO_FACTOR_REMEMBER_COOKIE_AGE": None,
    "TWO_FACTOR_REMEMBER_COOKIE_PREFIX": "remember-cookie_",
    "TWO_FACTOR_REMEMBER_COOKIE_DOMAIN": None,
    "TWO_FACTOR_REMEMBER_COOKIE_PATH": "/",
    # None: follow SESSION_COOKIE_SECURE (an explicit True or False wins).
    "TWO_FACTOR_REMEMBER_COOKIE_SECURE": None,
    "TWO_FACTOR_REMEMBER_COOKIE_HTTPONLY": True,
    "TWO_FACTOR_REMEMBER_COOKIE_SAMESITE": "Lax",
    # Who must set up a second factor: None, "all", "staff", a dotted path or
    # a callable taking the user and returning True when it must.
    "TWO_FACTOR_REQUIRE": None,
    # URL paths or URL names RequireSetupMiddleware lets through anyway.
    "TWO_FACTOR_REQUIRE_EXEMPT_URLS": (),
    # Sudo mode: seconds within which a second factor must have been verified
    # before disabling two-factor, removing a method, making new backup codes
    # or adding a method; older sessions verify again on the step-up page.
    # None turns it off. Ten minutes: long enough to finish a set-up begun
    # right after signing in, short enough that a browser left signed in
    # cannot strip the account's protection.
    "TWO_FACTOR_SENSITIVE_MAX_AGE": 600,
}


ui_settings = AppSettings(DEFAULTS)

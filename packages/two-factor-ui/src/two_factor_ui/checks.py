"""System checks of two-factor-ui's settings (ids ``two_factor_ui.E0xx``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning
from django.core.exceptions import ImproperlyConfigured

from .conf import ui_settings

MIDDLEWARE_PATH = "two_factor_ui.middleware.RequireSetupMiddleware"
AUTH_MIDDLEWARE_PATH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    errors: list[Any] = []
    if not _is_count(ui_settings.TWO_FACTOR_LOGIN_TIMEOUT):
        errors.append(
            Error(
                "TWO_FACTOR_LOGIN_TIMEOUT must be a whole number of seconds (0 disables it).",
                id="two_factor_ui.E001",
            )
        )
    age = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE
    if age is not None and (not _is_count(age) or age == 0):
        errors.append(
            Error(
                "TWO_FACTOR_REMEMBER_COOKIE_AGE must be None or a positive number of seconds.",
                id="two_factor_ui.E002",
            )
        )
    prefix = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PREFIX
    if not isinstance(prefix, str) or not prefix:
        errors.append(
            Error(
                "TWO_FACTOR_REMEMBER_COOKIE_PREFIX must be a non-empty string.",
                id="two_factor_ui.E003",
            )
        )
    if ui_settings.TWO_FACTOR_REMEMBER_COOKIE_SAMESITE not in (
        "Lax",
        "Strict",
        "None",
        None,
        False,
    ):
        errors.append(
            Error(
                "TWO_FACTOR_REMEMBER_COOKIE_SAMESITE must be 'Lax', 'Strict', 'None' or None.",
                id="two_factor_ui.E004",
            )
        )
    secure = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_SECURE
    if secure is not None and not isinstance(secure, bool):
        errors.append(
            Error(
                "TWO_FACTOR_REMEMBER_COOKIE_SECURE must be None (follow SESSION_COOKIE_SECURE), "
                "True or False.",
                id="two_factor_ui.E005",
            )
        )
    for name in (
        "TWO_FACTOR_REMEMBER_COOKIE_HTTPONLY",
        "TWO_FACTOR_PATCH_ADMIN",
    ):
        if not isinstance(getattr(ui_settings, name), bool):
            errors.append(Error(f"{name} must be True or False.", id="two_factor_ui.E005"))
    for name in ("TWO_FACTOR_REMEMBER_COOKIE_DOMAIN",):
        if getattr(ui_settings, name) is not None and not isinstance(
            getattr(ui_settings, name), str
        ):
            errors.append(Error(f"{name} must be None or a string.", id="two_factor_ui.E006"))
    if not isinstance(ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PATH, str):
        errors.append(
            Error("TWO_FACTOR_REMEMBER_COOKIE_PATH must be a string.", id="two_factor_ui.E006")
        )
    exempt = ui_settings.TWO_FACTOR_REQUIRE_EXEMPT_URLS
    if isinstance(exempt, str) or not isinstance(exempt, (list, tuple)):
        errors.append(
            Error(
                "TWO_FACTOR_REQUIRE_EXEMPT_URLS must be a list of paths or URL names.",
                id="two_factor_ui.E007",
            )
        )
    return errors


def check_enforcement(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """The policy and its middleware go together."""
    from .enforcement import policy_function

    errors: list[Any] = []
    try:
        policy = policy_function()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="two_factor_ui.E008")]
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    enabled = MIDDLEWARE_PATH in middleware
    if policy is not None and not enabled:
        errors.append(
            Warning(
                "TWO_FACTOR_REQUIRE is set but RequireSetupMiddleware is not in MIDDLEWARE: "
                "nothing enforces it.",
                hint=f"Add {MIDDLEWARE_PATH!r} after AuthenticationMiddleware.",
                id="two_factor_ui.W001",
            )
        )
    if enabled and policy is None:
        errors.append(
            Warning(
                "RequireSetupMiddleware is in MIDDLEWARE but TWO_FACTOR_REQUIRE is not set: "
                "it does nothing.",
                hint='Set TWO_FACTOR_REQUIRE to "all", "staff" or a callable.',
                id="two_factor_ui.W002",
            )
        )
    if enabled and (
        AUTH_MIDDLEWARE_PATH not in middleware
        or middleware.index(AUTH_MIDDLEWARE_PATH) > middleware.index(MIDDLEWARE_PATH)
    ):
        errors.append(
            Error(
                f"{MIDDLEWARE_PATH} must come after {AUTH_MIDDLEWARE_PATH}.",
                id="two_factor_ui.E009",
            )
        )
    return errors


def check_remember_cookie_deploy(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """``check --deploy``: a remember cookie sent over plain HTTP can be stolen and replayed."""
    from .remember import cookie_secure, is_enabled

    if not is_enabled() or cookie_secure():
        return []
    return [
        Warning(
            "The remember-browser cookie is not Secure: it stands in for the second factor "
            "and would travel over plain HTTP.",
            hint="Set SESSION_COOKIE_SECURE = True, or TWO_FACTOR_REMEMBER_COOKIE_SECURE = True.",
            id="two_factor_ui.W003",
        )
    ]


def check_sensitive_max_age(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    value = ui_settings.TWO_FACTOR_SENSITIVE_MAX_AGE
    if value is None or _is_count(value):
        return []
    return [
        Error(
            "TWO_FACTOR_SENSITIVE_MAX_AGE must be a whole number of seconds, or None "
            "to turn sudo mode off.",
            id="two_factor_ui.E020",
        )
    ]

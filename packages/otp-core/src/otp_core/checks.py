"""System checks: a wrong setting fails at start-up, not at the first request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning

from .conf import otp_settings

MIDDLEWARE_PATH = "otp_core.middleware.OTPMiddleware"
AUTH_MIDDLEWARE_PATH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if MIDDLEWARE_PATH not in middleware:
        return [
            Error(
                f"{MIDDLEWARE_PATH} is not in MIDDLEWARE.",
                hint="Add it after AuthenticationMiddleware.",
                id="otp_core.E001",
            )
        ]
    if AUTH_MIDDLEWARE_PATH not in middleware or middleware.index(
        AUTH_MIDDLEWARE_PATH
    ) > middleware.index(MIDDLEWARE_PATH):
        return [
            Error(
                f"{MIDDLEWARE_PATH} must come after {AUTH_MIDDLEWARE_PATH}.",
                hint="It needs request.user, which AuthenticationMiddleware sets.",
                id="otp_core.E002",
            )
        ]
    return []


def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    keys = otp_settings.OTP_ENCRYPTION_KEYS
    if keys is None:
        return [
            Warning(
                "OTP_ENCRYPTION_KEYS is not set: device secrets are encrypted with a key "
                "derived from SECRET_KEY.",
                hint="Set OTP_ENCRYPTION_KEYS to a list of long random strings, so that "
                "rotating SECRET_KEY does not make stored secrets unreadable.",
                id="otp_core.W001",
            )
        ]
    if isinstance(keys, (str, bytes)):
        keys = [keys]
    if not isinstance(keys, (list, tuple)) or not keys:
        from .keys import missing_keys_message

        return [Error(missing_keys_message(keys), id="otp_core.E003")]
    errors = []
    for index, key in enumerate(keys):
        if not isinstance(key, (str, bytes)):
            errors.append(
                Error(
                    f"OTP_ENCRYPTION_KEYS[{index}] is not a string.",
                    id="otp_core.E003",
                )
            )
        elif len(key) < 32:
            errors.append(
                Error(
                    f"OTP_ENCRYPTION_KEYS[{index}] is shorter than 32 characters.",
                    hint="Use a long random string: python manage.py otp_generate_key prints one.",
                    id="otp_core.E004",
                )
            )
    return errors


def number_error(
    name: str, value: Any, error_id: str, *, integer: bool = False, minimum: float = 0
) -> Error | None:
    """An error unless ``value`` is a number (whole with ``integer``) of at least ``minimum``.

    ``True`` and ``False`` are refused although Python counts them as numbers.
    Plugins use this for their own numeric settings.
    """
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or value < minimum:
        what = "a whole number" if integer else "a number"
        return Error(f"{name} must be {what} of {minimum} or more, not {value!r}.", id=error_id)
    return None


def issuer_and_image_errors(
    prefix: str, issuer: Any, image: Any, issuer_id: str, image_id: str
) -> list[Any]:
    """Errors of an OATH plugin's ``<prefix>_ISSUER`` and ``<prefix>_IMAGE`` settings."""
    errors = []
    if issuer is not None and not isinstance(issuer, str) and not callable(issuer):
        errors.append(
            Error(
                f"{prefix}_ISSUER must be a string, a callable taking the device, or None.",
                id=issuer_id,
            )
        )
    if image is not None and not isinstance(image, str):
        errors.append(Error(f"{prefix}_IMAGE must be a URL or None.", id=image_id))
    return errors


def _number_check(name: str, integer: bool, error_id: str) -> list[Any]:
    error = number_error(name, getattr(otp_settings, name), error_id, integer=integer)
    return [error] if error else []


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    errors = []
    errors += _number_check("OTP_THROTTLE_FACTOR", False, "otp_core.E005")
    errors += _number_check("OTP_LOCKOUT_FAILURES", True, "otp_core.E006")
    errors += _number_check("OTP_ACCOUNT_LOCKOUT_FAILURES", True, "otp_core.E013")
    errors += _number_check("OTP_SESSION_MAX_VERIFICATIONS", True, "otp_core.E007")
    if not errors and otp_settings.OTP_SESSION_MAX_VERIFICATIONS < 1:
        errors.append(
            Error("OTP_SESSION_MAX_VERIFICATIONS must be at least 1.", id="otp_core.E007")
        )
    login_url = otp_settings.OTP_LOGIN_URL
    if login_url is not None and not isinstance(login_url, str):
        errors.append(Error("OTP_LOGIN_URL must be a URL, a URL name or None.", id="otp_core.E008"))
    return errors


def check_legacy_sessions(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """OTP_LEGACY_SESSIONS must be True or False (a string such as "False" is truthy)."""
    if isinstance(otp_settings.OTP_LEGACY_SESSIONS, bool):
        return []
    return [Error("OTP_LEGACY_SESSIONS must be True or False.", id="otp_core.E040")]


def _budget_error(name: str) -> Error | None:
    value = getattr(otp_settings, name)
    pairs = value if isinstance(value, (list, tuple)) else None
    if pairs is not None and all(
        isinstance(pair, (list, tuple))
        and len(pair) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in pair)
        for pair in pairs
    ):
        return None
    return Error(
        f"{name} must be a list of (count, seconds) pairs of whole numbers of 1 or more, "
        f"e.g. [(3, 600), (10, 86400)], or [] to switch it off; not {value!r}.",
        id="otp_core.E010",
    )


def check_send_budgets(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Send budgets, the client address header and the pending-device lifetime."""
    errors = []
    for name in ("OTP_SEND_BUDGET_DESTINATION", "OTP_SEND_BUDGET_USER", "OTP_SEND_BUDGET_CLIENT"):
        error = _budget_error(name)
        if error:
            errors.append(error)
    ttl_error = number_error(
        "OTP_PENDING_DEVICE_TTL",
        otp_settings.OTP_PENDING_DEVICE_TTL,
        "otp_core.E011",
        integer=True,
        minimum=60,
    )
    if ttl_error:
        errors.append(ttl_error)
    header = otp_settings.OTP_CLIENT_ADDRESS_HEADER
    if not isinstance(header, str) or not (header == "REMOTE_ADDR" or header.startswith("HTTP_")):
        errors.append(
            Error(
                'OTP_CLIENT_ADDRESS_HEADER must be "REMOTE_ADDR" or a request.META key of a '
                f'header set by your trusted proxy ("HTTP_..."), not {header!r}.',
                id="otp_core.E012",
            )
        )
    return errors


def check_plugins(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Every installed plugin loads, and its app is in INSTALLED_APPS."""
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    from . import plugins

    try:
        found = plugins.installed()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="otp_core.E009")]
    warnings = []
    for plugin in found.values():
        if not any(cfg.name == plugin.app for cfg in apps.get_app_configs()):
            warnings.append(
                Warning(
                    f"The otp_core plugin {plugin.name!r} is installed but its app "
                    f"{plugin.app!r} is not in INSTALLED_APPS.",
                    hint="Add it, or otp_core.plugins.installed_apps(), to INSTALLED_APPS.",
                    id="otp_core.W002",
                )
            )
    return warnings


def check_notifications(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """``OTP_NOTIFY_USERS`` and ``OTP_NOTIFY_FROM_EMAIL``, and an e-mail field to send to."""
    errors: list[Any] = []
    notify = otp_settings.OTP_NOTIFY_USERS
    if notify is not None and not isinstance(notify, bool):
        errors.append(
            Error(
                f"OTP_NOTIFY_USERS must be True, False or None, not {type(notify).__name__}.",
                id="otp_core.E017",
            )
        )
    sender = otp_settings.OTP_NOTIFY_FROM_EMAIL
    if sender is not None and (not isinstance(sender, str) or not sender.strip()):
        errors.append(
            Error(
                "OTP_NOTIFY_FROM_EMAIL must be an e-mail address (a string) or None.",
                id="otp_core.E018",
            )
        )
    if errors:
        return errors
    from django.contrib.auth import get_user_model
    from django.core.exceptions import FieldDoesNotExist

    from .notifications import notifications_enabled

    if not notifications_enabled():
        return []
    model = get_user_model()
    get_name = getattr(model, "get_email_field_name", None)
    field = get_name() if callable(get_name) else "email"
    try:
        model._meta.get_field(field)
    except FieldDoesNotExist:
        return [
            Warning(
                f"User notifications are on, but the user model {model._meta.label} has no "
                f"e-mail field {field!r}: nobody will be told when their second factors change.",
                hint="Set EMAIL_FIELD on the user model, or OTP_NOTIFY_USERS = False.",
                id="otp_core.W005",
            )
        ]
    return []

"""System checks of otp-yubikey: a conflicting distribution, settings, plain-HTTP servers."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError, connections

from otp_core.checks import number_error

from .conf import yubikey_settings

#: The distribution whose ``otp_yubikey`` import package collides with ours.
CONFLICTING_DISTRIBUTION = "django-otp-yubikey"


def conflicting_version() -> str | None:
    """The installed version of django-otp-yubikey, or None."""
    try:
        return metadata.version(CONFLICTING_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


@register()
def check_conflict(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    version = conflicting_version()
    if version is None:
        return []
    return [
        Error(
            f"{CONFLICTING_DISTRIBUTION} {version} is installed next to otp-yubikey: both ship "
            "the otp_yubikey import package, so their files overwrite each other.",
            hint=f"pip uninstall {CONFLICTING_DISTRIBUTION}, reinstall otp-yubikey, then run "
            "'python manage.py otp_import_django_otp' to copy its devices and services.",
            id="otp_yubikey.E001",
        )
    ]


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    errors = []
    error = number_error(
        "OTP_YUBIKEY_THROTTLE_FACTOR",
        yubikey_settings.OTP_YUBIKEY_THROTTLE_FACTOR,
        "otp_yubikey.E002",
    )
    if error:
        errors.append(error)
    name = yubikey_settings.OTP_YUBIKEY_SETUP_SERVICE
    if name is not None and (not isinstance(name, str) or not name):
        errors.append(
            Error(
                "OTP_YUBIKEY_SETUP_SERVICE must be the name of a validation service, or None.",
                id="otp_yubikey.E003",
            )
        )
    return errors


@register(Tags.security, Tags.database)
def check_plain_http(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Any]:
    """Warn about validation URLs without TLS (only when checks may use a database)."""
    if settings.DEBUG or not databases:
        return []
    from .models import ValidationService

    warnings = []
    for alias in databases:
        table = ValidationService._meta.db_table
        try:
            if table not in connections[alias].introspection.table_names():
                continue
            services = list(
                ValidationService.objects.using(alias).only("name", "base_url", "use_ssl")
            )
        except DatabaseError:
            continue
        for service in services:
            if any(url.startswith("http://") for url in service.urls()):
                warnings.append(
                    Warning(
                        f"The YubiKey validation service {service.name!r} is reached over plain "
                        "HTTP while DEBUG is False.",
                        hint="Use https:// URLs (and use_ssl for YubiCloud): the answers "
                        "are signed, but the OTPs travel in the clear.",
                        obj=service,
                        id="otp_yubikey.W001",
                    )
                )
    return warnings

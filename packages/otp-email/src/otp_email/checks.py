"""System checks of otp-email: a sender that works and sane numbers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

from otp_core.checks import number_error

from .conf import email_settings

#: Django's own default for DEFAULT_FROM_EMAIL: mail from it rarely arrives.
DJANGO_DEFAULT_SENDER = "webmaster@localhost"


@register()
def check_sender(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    sender = email_settings.OTP_EMAIL_SENDER
    if sender is not None and not isinstance(sender, str):
        return [Error("OTP_EMAIL_SENDER must be an address or None.", id="otp_email.E001")]
    if not sender and getattr(settings, "DEFAULT_FROM_EMAIL", "") in ("", DJANGO_DEFAULT_SENDER):
        return [
            Warning(
                "Neither OTP_EMAIL_SENDER nor DEFAULT_FROM_EMAIL is configured: codes would be "
                f"sent from {DJANGO_DEFAULT_SENDER!r}.",
                hint="Set DEFAULT_FROM_EMAIL (or OTP_EMAIL_SENDER) to an address of your site.",
                id="otp_email.W001",
            )
        ]
    return []


@register()
def check_numbers(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    errors = []
    for name, integer, minimum, error_id in (
        ("OTP_EMAIL_TOKEN_VALIDITY", True, 1, "otp_email.E002"),
        ("OTP_EMAIL_THROTTLE_FACTOR", False, 0, "otp_email.E003"),
        ("OTP_EMAIL_COOLDOWN_DURATION", True, 0, "otp_email.E004"),
    ):
        value = getattr(email_settings, name)
        error = number_error(name, value, error_id, integer=integer, minimum=minimum)
        if error:
            errors.append(error)
    for name, error_id in (
        ("OTP_EMAIL_BODY_TEMPLATE", "otp_email.E005"),
        ("OTP_EMAIL_BODY_TEMPLATE_PATH", "otp_email.E005"),
        ("OTP_EMAIL_BODY_HTML_TEMPLATE", "otp_email.E005"),
        ("OTP_EMAIL_BODY_HTML_TEMPLATE_PATH", "otp_email.E005"),
    ):
        value = getattr(email_settings, name)
        if value is not None and not isinstance(value, str):
            errors.append(Error(f"{name} must be a string or None.", id=error_id))
    errors += _allowed_domains_messages()
    if (
        email_settings.OTP_EMAIL_BODY_TEMPLATE is None
        and not email_settings.OTP_EMAIL_BODY_TEMPLATE_PATH
    ):
        errors.append(
            Error(
                "Set OTP_EMAIL_BODY_TEMPLATE or OTP_EMAIL_BODY_TEMPLATE_PATH: "
                "the mail needs a body.",
                id="otp_email.E006",
            )
        )
    return errors


def _allowed_domains_messages() -> list[Any]:
    allowed = email_settings.OTP_EMAIL_ALLOWED_DOMAINS
    if allowed is None:
        return []
    if (
        isinstance(allowed, str)
        or not isinstance(allowed, (list, tuple, set, frozenset))
        or not all(isinstance(d, str) and d.strip(".") and "@" not in d for d in allowed)
    ):
        return [
            Error(
                "OTP_EMAIL_ALLOWED_DOMAINS must be None or a list of domain names "
                '(e.g. ["example.com"]).',
                id="otp_email.E007",
            )
        ]
    if not allowed:
        return [
            Warning(
                "OTP_EMAIL_ALLOWED_DOMAINS is empty: nobody can set up an e-mail device.",
                hint="Use None to allow every domain, or list the domains to allow.",
                id="otp_email.W002",
            )
        ]
    return []

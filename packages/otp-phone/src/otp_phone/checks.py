"""System checks of otp-phone: gateways that load, Twilio credentials, numbers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from otp_core.checks import number_error

from .conf import phone_settings
from .gateways import load_gateway_class
from .gateways.fake import Fake

GATEWAY_SETTINGS = ("TWO_FACTOR_SMS_GATEWAY", "TWO_FACTOR_CALL_GATEWAY")


@register()
def check_gateways(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    messages: list[Any] = []
    classes = []
    for name in GATEWAY_SETTINGS:
        value = getattr(phone_settings, name)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            messages.append(
                Error(f"{name} must be a gateway name or dotted path.", id="otp_phone.E001")
            )
            continue
        try:
            classes.append(load_gateway_class(value))
        except ImproperlyConfigured as exc:
            messages.append(Error(str(exc), id="otp_phone.E001"))
    if not any(getattr(phone_settings, name) for name in GATEWAY_SETTINGS):
        messages.append(
            Warning(
                "Neither TWO_FACTOR_SMS_GATEWAY nor TWO_FACTOR_CALL_GATEWAY is set: "
                "phone devices cannot receive codes.",
                hint='Set one, e.g. "twilio" (or "fake" during development).',
                id="otp_phone.W002",
            )
        )
    if not settings.DEBUG and any(isinstance(c, type) and issubclass(c, Fake) for c in classes):
        messages.append(
            Warning(
                "The Fake phone gateway is configured with DEBUG = False: it writes codes "
                "to the log instead of sending them.",
                hint="Use a real gateway in production.",
                id="otp_phone.W001",
            )
        )
    messages += _callback_url_messages()
    from .gateways.twilio import Twilio

    if any(isinstance(c, type) and issubclass(c, Twilio) for c in classes):
        missing = [
            name
            for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
            if not getattr(phone_settings, name)
        ]
        if not phone_settings.TWILIO_CALLER_ID and not phone_settings.TWILIO_MESSAGING_SERVICE_SID:
            missing.append("TWILIO_CALLER_ID")
        if missing:
            messages.append(
                Error(f"The Twilio gateway needs {', '.join(missing)}.", id="otp_phone.E003")
            )
        if not phone_settings.OTP_PHONE_VALIDATE_TWILIO_SIGNATURE:
            messages.append(
                Warning(
                    "OTP_PHONE_VALIDATE_TWILIO_SIGNATURE is off: anyone who fetches a voice "
                    "call's URL in time hears its code, not only Twilio.",
                    hint="Switch it off only when a proxy changes the URL Twilio signed "
                    "and OTP_PHONE_CALLBACK_BASE_URL cannot restore it.",
                    id="otp_phone.W003",
                )
            )
        try:
            import twilio  # noqa: F401
        except ImportError:
            messages.append(
                Error(
                    "The Twilio gateway needs the twilio client.",
                    hint="pip install otp-phone[twilio]",
                    id="otp_phone.E004",
                )
            )
    return messages


@register()
def check_numbers(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    errors = []
    for name, integer, minimum in (
        ("TWO_FACTOR_PHONE_THROTTLE_FACTOR", False, 0),
        ("OTP_PHONE_TOKEN_VALIDITY", True, 1),
        ("OTP_PHONE_COOLDOWN_DURATION", True, 0),
        ("OTP_PHONE_CALL_URL_MAX_AGE", True, 1),
        ("TWILIO_TIMEOUT", False, 0.1),
    ):
        value = getattr(phone_settings, name)
        error = number_error(name, value, "otp_phone.E002", integer=integer, minimum=minimum)
        if error:
            errors.append(error)
    digits = phone_settings.TWO_FACTOR_TOTP_DIGITS
    if isinstance(digits, bool) or digits not in (6, 8):
        errors.append(
            Error(f"TWO_FACTOR_TOTP_DIGITS must be 6 or 8, not {digits!r}.", id="otp_phone.E005")
        )
    region = phone_settings.PHONENUMBER_DEFAULT_REGION
    if region is not None:
        import phonenumbers

        if region not in phonenumbers.SUPPORTED_REGIONS:
            errors.append(
                Error(
                    f"PHONENUMBER_DEFAULT_REGION {region!r} is not a known region code.",
                    hint='Use a two-letter code such as "NL" or "US".',
                    id="otp_phone.E006",
                )
            )
    errors += _number_rule_messages()
    base = phone_settings.OTP_PHONE_CALLBACK_BASE_URL
    if base is not None and (
        not isinstance(base, str) or not base.startswith(("https://", "http://"))
    ):
        errors.append(
            Error(
                "OTP_PHONE_CALLBACK_BASE_URL must be an absolute http(s) URL.", id="otp_phone.E007"
            )
        )
    return errors


def _callback_url_messages() -> list[Any]:
    """E010: a call gateway that needs callbacks, and no configured base URL for them."""
    name = phone_settings.TWO_FACTOR_CALL_GATEWAY
    if not name or not isinstance(name, str) or phone_settings.OTP_PHONE_CALLBACK_BASE_URL:
        return []
    try:
        cls = load_gateway_class(name)
    except ImproperlyConfigured:
        return []  # reported as otp_phone.E001
    if not getattr(cls, "needs_callback_url", False):
        return []
    return [
        Error(
            f"TWO_FACTOR_CALL_GATEWAY {name!r} needs OTP_PHONE_CALLBACK_BASE_URL.",
            hint='Set it to your site\'s public base URL, e.g. "https://example.com": '
            "call URLs are never built from the request's Host header.",
            id="otp_phone.E010",
        )
    ]


#: Number types that are not one person's line; allowing one gets otp_phone.W004.
NON_PERSONAL_TYPES = (
    "PREMIUM_RATE",
    "SHARED_COST",
    "TOLL_FREE",
    "PERSONAL_NUMBER",
    "UAN",
    "PAGER",
    "VOICEMAIL",
    "UNKNOWN",
)


def _number_rule_messages() -> list[Any]:
    """E008 (regions), E009 (number types), W004 (a non-personal type allowed)."""
    import phonenumbers

    from .numbers import NUMBER_TYPES

    messages: list[Any] = []
    regions = phone_settings.OTP_PHONE_ALLOWED_REGIONS
    if regions is not None:
        if isinstance(regions, str) or not isinstance(regions, (list, tuple, set, frozenset)):
            messages.append(
                Error(
                    "OTP_PHONE_ALLOWED_REGIONS must be None or a list of region codes, "
                    'e.g. ["NL"].',
                    id="otp_phone.E008",
                )
            )
        else:
            unknown = [r for r in regions if r not in phonenumbers.SUPPORTED_REGIONS]
            if unknown or not regions:
                messages.append(
                    Error(
                        "OTP_PHONE_ALLOWED_REGIONS must list known region codes "
                        f"(unknown: {', '.join(map(repr, unknown)) or 'the list is empty'}).",
                        id="otp_phone.E008",
                    )
                )
    types = phone_settings.OTP_PHONE_ALLOWED_NUMBER_TYPES
    if (
        isinstance(types, str)
        or not isinstance(types, (list, tuple, set, frozenset))
        or not types
        or any(t not in NUMBER_TYPES for t in types)
    ):
        messages.append(
            Error(
                "OTP_PHONE_ALLOWED_NUMBER_TYPES must be a non-empty list of "
                f"phonenumbers.PhoneNumberType names: {', '.join(NUMBER_TYPES)}.",
                id="otp_phone.E009",
            )
        )
    else:
        risky = [t for t in types if t in NON_PERSONAL_TYPES]
        if risky:
            messages.append(
                Warning(
                    f"OTP_PHONE_ALLOWED_NUMBER_TYPES allows {', '.join(risky)}: numbers that "
                    "are nobody's own line, and premium-rate or shared-cost ones earn their "
                    "owner money for every code sent (SMS pumping).",
                    hint="Allow only MOBILE, FIXED_LINE, FIXED_LINE_OR_MOBILE and VOIP.",
                    id="otp_phone.W004",
                )
            )
    return messages

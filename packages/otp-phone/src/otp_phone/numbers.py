"""Phone numbers: parsing to E.164, formatting and masking (``phonenumbers``)."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .conf import phone_settings

__all__ = [
    "NUMBER_TYPES",
    "format_international",
    "mask",
    "to_e164",
    "validate_e164",
    "validate_setup_number",
]

#: Number types by the names ``OTP_PHONE_ALLOWED_NUMBER_TYPES`` uses.
NUMBER_TYPES: dict[str, int] = {
    name: getattr(phonenumbers.PhoneNumberType, name)
    for name in (
        "FIXED_LINE",
        "MOBILE",
        "FIXED_LINE_OR_MOBILE",
        "TOLL_FREE",
        "PREMIUM_RATE",
        "SHARED_COST",
        "VOIP",
        "PERSONAL_NUMBER",
        "PAGER",
        "UAN",
        "VOICEMAIL",
        "UNKNOWN",
    )
}


def _parse(value: Any) -> phonenumbers.PhoneNumber:
    if isinstance(value, phonenumbers.PhoneNumber):
        return value
    return phonenumbers.parse(str(value), phone_settings.PHONENUMBER_DEFAULT_REGION)


def to_e164(value: Any) -> str:
    """``value`` as ``+<country><number>``; ValidationError when it is no valid number."""
    try:
        number = _parse(value)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number."), code="invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_e164(value: str) -> None:
    """Model validator: a valid number already in E.164 form (text or ``PhoneNumber``)."""
    if isinstance(value, phonenumbers.PhoneNumber):
        value = phonenumbers.format_number(value, phonenumbers.PhoneNumberFormat.E164)
    if not isinstance(value, str) or to_e164(value) != value:
        raise ValidationError(_("Enter a valid phone number."), code="invalid")


def format_international(value: Any) -> str:
    """International notation, e.g. ``+31 6 12345678``; unparsable input unchanged."""
    try:
        number = _parse(value)
    except phonenumbers.NumberParseException:
        return str(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


#: A digit with at least three characters before it and two after it.
_MASKED_DIGIT = re.compile(r"(?<=.{3})\d(?=.{2})")


def mask(value: Any) -> str:
    """Hide all but the first 3 characters and the last 2: ``+31 6 1234558`` -> ``+31 * *****58``.

    A ``PhoneNumber`` is formatted in international notation first; a string
    is masked as given.
    """
    if isinstance(value, phonenumbers.PhoneNumber):
        value = format_international(value)
    return _MASKED_DIGIT.sub("*", str(value))


def validate_setup_number(value: str) -> None:
    """ValidationError unless codes may be sent to ``value`` (E.164) from a set-up.

    Its type must be in ``OTP_PHONE_ALLOWED_NUMBER_TYPES`` (personal lines
    only by default: premium-rate and shared-cost numbers earn whoever owns
    them money per message, the "SMS pumping" fraud) and its region in
    ``OTP_PHONE_ALLOWED_REGIONS`` when that is a list.
    """
    number = _parse(value)
    allowed_types = {NUMBER_TYPES[name] for name in phone_settings.OTP_PHONE_ALLOWED_NUMBER_TYPES}
    if phonenumbers.number_type(number) not in allowed_types:
        raise ValidationError(
            _(
                "Codes cannot be sent to this kind of number (such as premium-rate or "
                "shared-cost numbers). Please enter a mobile or landline number."
            ),
            code="number_type",
        )
    regions = phone_settings.OTP_PHONE_ALLOWED_REGIONS
    if regions is not None and phonenumbers.region_code_for_number(number) not in regions:
        raise ValidationError(_("Codes cannot be sent to numbers in this country."), code="region")

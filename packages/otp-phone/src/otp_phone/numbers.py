"""Phone numbers: parsing to E.164, formatting and masking (``phonenumbers``)."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .conf import phone_settings

__all__ = ["format_international", "mask", "to_e164", "validate_e164"]


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
    """Model validator: a valid number already in E.164 form."""
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

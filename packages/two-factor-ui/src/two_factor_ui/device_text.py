"""How a device is described to its user, masked: django-two-factor-auth's tag filters.

``{% load two_factor_tags %}`` registers these (the library imports this
module when a template first uses one): :func:`as_action` and
:func:`as_verbose_action` describe a device for the login page;
:func:`format_phone_number` and :func:`mask_phone_number` format and mask a
number. Every text is masked: a number or address never appears in full.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext

__all__ = ["as_action", "as_verbose_action", "format_phone_number", "mask_phone_number"]


#: A digit with at least three characters before it and two after it.
_MASKED_DIGIT = re.compile(r"(?<=.{3})\d(?=.{2})")


def format_phone_number(number: Any) -> str:
    """International notation (``+31 6 12345678``) when phonenumbers is installed.

    A string it cannot parse is returned unchanged.
    """
    try:
        import phonenumbers
    except ImportError:  # otp-phone not installed: nothing to format
        return str(number)
    try:
        if not isinstance(number, phonenumbers.PhoneNumber):
            number = phonenumbers.parse(str(number))
    except phonenumbers.NumberParseException:
        return str(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone_number(number: Any) -> str:
    """Only the first 3 characters and the last 2 visible: ``+31 * *****78``."""
    if not isinstance(number, str):
        number = format_phone_number(number)
    return _MASKED_DIGIT.sub("*", number)


def as_action(device: Any) -> str:
    """What choosing ``device`` on the login page does, e.g. "Use Text message to +31 * *****78".

    Built from the device's masked label (``display_label``), never its number or address.
    """
    return gettext("Use %(device)s") % {"device": _label(device)}


#: What the user is asked to do, by factor kind.
_VERBOSE = {
    "sms": lambda: gettext("We sent you a text message. Please enter the code in it."),
    "tel": lambda: gettext("We are calling your phone. Please enter the digits you hear."),
    "email": lambda: gettext("We sent you an e-mail. Please enter the code in it."),
    "recovery": lambda: gettext("Please enter one of your backup codes."),
    "hwk": lambda: gettext("Please use your security key."),
    "swk": lambda: gettext("Please use your passkey."),
}


def as_verbose_action(device: Any) -> str:
    """What the user must do now for ``device``: "We sent you a text message ..."."""
    kind = getattr(device, "factor_kind", "otp")
    verbose = _VERBOSE.get(str(kind))
    if verbose is not None:
        return verbose()
    return gettext("Please enter the code shown by %(device)s.") % {"device": _label(device)}


def _label(device: Any) -> str:
    label = getattr(device, "display_label", None)
    if callable(label):
        return str(label())
    return str(getattr(device, "name", "") or gettext("your device"))

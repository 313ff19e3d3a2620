"""``{% load phonenumber %}``: device_action, format_phone_number, mask_phone_number."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from ..numbers import format_international, mask

register = template.Library()


@register.filter
def format_phone_number(number: Any) -> str:
    """International notation of a string or ``PhoneNumber``: ``+31 6 12345678``."""
    return format_international(number)


@register.filter
def mask_phone_number(number: Any) -> str:
    """Only the first 3 characters and last 2 digits visible: ``+31 * *****58``."""
    return mask(number)


@register.filter
def device_action(device: Any) -> str:
    """What choosing ``device`` does: "Send text message to +31 * *****58"."""
    number = mask_phone_number(format_phone_number(device.number))
    if device.method == "call":
        return gettext("Call number %s") % number
    return gettext("Send text message to %s") % number

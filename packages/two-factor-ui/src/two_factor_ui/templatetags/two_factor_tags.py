"""``{% load two_factor_tags %}``: django-two-factor-auth's filters, so its templates load.

``as_action`` and ``as_verbose_action`` describe a device for the login
page; ``format_phone_number`` and ``mask_phone_number`` are also offered here
as django-two-factor-auth once did. Every text is masked: a number or address
never appears in full. Django imports every tag library when its template
engine starts: the filters live in :mod:`two_factor_ui.device_text`, loaded
when a template first uses one (or Python code imports one from here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template

from otp_core.deferred import moved

register = template.Library()

_FILTERS = ("format_phone_number", "mask_phone_number", "as_action", "as_verbose_action")


def _filter(name: str) -> Callable[[Any], str]:
    # One argument, as Django checks a filter's signature when a template uses it.
    def apply(value: Any) -> str:
        from .. import device_text

        return getattr(device_text, name)(value)

    apply.__name__ = apply.__qualname__ = name
    return apply


for _name in _FILTERS:
    register.filter(_name, _filter(_name))


__getattr__ = moved(__name__, dict.fromkeys(_FILTERS, "two_factor_ui.device_text"))

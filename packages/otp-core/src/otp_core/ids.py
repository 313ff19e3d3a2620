"""Ids from the outside world (URLs, forms, sessions) made safe to look up.

``int()`` accepts more than a database can hold or a user should type
(``"٣"``, ``" 3"``, ``"3_0"``, ``10**30``), and Django 4.2 on SQLite raises
``OverflowError`` for an integer beyond 64 bits. :func:`parse_pk` accepts only
ASCII digits within the field's range, so a bad id finds nothing (a 404 or a
form error) on every backend. :class:`IdConverter` does the same for URLs as
the path converter ``otp_id``.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.urls import register_converter
from django.urls.converters import get_converters

__all__ = [
    "INT64_MAX",
    "IdConverter",
    "SafeModelChoiceField",
    "parse_int_id",
    "parse_pk",
]

INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]{1,20}\Z")


def parse_int_id(value: Any, low: int = -INT64_MAX - 1, high: int = INT64_MAX) -> int | None:
    """``value`` as an integer in ``[low, high]`` written in ASCII digits, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.match(value):
        number = int(value)
    else:
        return None
    return number if low <= number <= high else None


def parse_pk(model: Any, value: Any) -> Any | None:
    """``value`` as a primary key of ``model`` the database can look up, or None."""
    field = model._meta.pk
    internal_type = field.get_internal_type()
    connection = connections[router.db_for_read(model)]
    try:
        low, high = connection.ops.integer_field_range(internal_type)
    except KeyError:
        low = high = None
    if internal_type.endswith(("IntegerField", "AutoField")):
        return parse_int_id(
            value,
            -INT64_MAX - 1 if low is None else low,
            INT64_MAX if high is None else high,
        )
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    try:
        return field.to_python(value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return None


class SafeModelChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` for which a value no row can have is "not a choice"."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        model = self.queryset.model
        by_pk = self.to_field_name in (None, model._meta.pk.name, model._meta.pk.attname)
        if by_pk and parse_pk(model, value) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class IdConverter:
    """Path converter ``<otp_id:pk>``: a positive 64-bit integer in ASCII digits."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_int_id(value, 0, INT64_MAX)
        if number is None:
            raise ValueError("out of range")  # no match: the URL resolves to a 404
        return number

    def to_url(self, value: Any) -> str:
        return str(value)


if "otp_id" not in get_converters():
    register_converter(IdConverter, "otp_id")

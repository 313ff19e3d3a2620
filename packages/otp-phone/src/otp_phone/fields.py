"""``PhoneDevice.number``: E.164 text in the database, a ``PhoneNumber`` in Python.

django-two-factor-auth's ``PhoneDevice.number`` is a ``phonenumbers.PhoneNumber``
(django-phonenumber-field's), so custom gateways call ``device.number.as_e164``.
:class:`PhoneNumber` offers the same members (``as_e164``, ``as_international``,
``as_national``, ``as_rfc3966``, ``is_valid()``), prints as E.164 and compares
equal to its E.164 string, so code that treats the number as text keeps working.
The column stays a ``varchar`` holding E.164 text: no migration, and the field
deconstructs as a plain ``CharField``.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.db import models

__all__ = ["PhoneNumber", "PhoneNumberField", "to_phone_number"]


class PhoneNumber(phonenumbers.PhoneNumber):
    """A parsed number that reads, prints and compares as its E.164 text."""

    @classmethod
    def from_e164(cls, text: str) -> PhoneNumber:
        """Parse ``text`` (``+<country><number>``); ``NumberParseException`` if it cannot be."""
        number = cls()
        number.merge_from(phonenumbers.parse(text, None))
        return number

    def _format(self, fmt: int) -> str:
        return phonenumbers.format_number(self, fmt)

    @property
    def as_e164(self) -> str:
        return self._format(phonenumbers.PhoneNumberFormat.E164)

    @property
    def as_international(self) -> str:
        return self._format(phonenumbers.PhoneNumberFormat.INTERNATIONAL)

    @property
    def as_national(self) -> str:
        return self._format(phonenumbers.PhoneNumberFormat.NATIONAL)

    @property
    def as_rfc3966(self) -> str:
        return self._format(phonenumbers.PhoneNumberFormat.RFC3966)

    def is_valid(self) -> bool:
        return phonenumbers.is_valid_number(self)

    def __str__(self) -> str:
        return self.as_e164

    def __repr__(self) -> str:
        return f"PhoneNumber({self.as_e164!r})"

    def __len__(self) -> int:
        # CharField's max_length validator measures the stored text.
        return len(self.as_e164)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.as_e164 == other
        if isinstance(other, phonenumbers.PhoneNumber):
            return self.as_e164 == phonenumbers.format_number(
                other, phonenumbers.PhoneNumberFormat.E164
            )
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self.as_e164)


def to_phone_number(value: Any) -> Any:
    """``value`` as a :class:`PhoneNumber` when it is one or is exact E.164 text.

    Anything else (blank, another notation, garbage) is returned unchanged, so
    the field's E.164 validator still refuses it with a form error.
    """
    if isinstance(value, PhoneNumber) or value is None:
        return value
    if isinstance(value, phonenumbers.PhoneNumber):
        number = PhoneNumber()
        number.merge_from(value)
        return number
    if isinstance(value, str) and value.startswith("+"):
        try:
            number = PhoneNumber.from_e164(value)
        except phonenumbers.NumberParseException:
            return value
        if number.as_e164 == value:
            return number
    return value


class _NumberDescriptor:
    """Turns what is assigned (a string from a form, a row from the database) into a number."""

    def __init__(self, field: models.Field) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return instance.__dict__.get(self.field.attname)

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = to_phone_number(value)


class PhoneNumberField(models.CharField):
    """A ``CharField`` of E.164 text whose Python value is a :class:`PhoneNumber`."""

    def contribute_to_class(self, cls: type, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.name, _NumberDescriptor(self))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return to_phone_number(value)

    def to_python(self, value: Any) -> Any:
        return to_phone_number(super().to_python(value))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if isinstance(value, phonenumbers.PhoneNumber):
            value = phonenumbers.format_number(value, phonenumbers.PhoneNumberFormat.E164)
        return value

    def value_to_string(self, obj: Any) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        # The column is a plain varchar: migrations need not know this class.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs

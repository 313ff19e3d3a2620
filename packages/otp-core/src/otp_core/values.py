"""One light base for the small immutable values otp-core and its UIs pass around.

``@dataclass(frozen=True)`` writes six methods for each class it decorates
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``,
``__delattr__``) and compiles them at import: about 10 KiB of a worker's
memory per class, for methods that differ only by the field names. A
:class:`Value` subclass names its fields in ``_fields``, in the constructor's
order (``__slots__ = _fields``: a literal ``__slots__`` gets sorted by the
linter), writes a typed ``__init__`` that calls :meth:`Value._fill`,
and shares one set of those methods: equality between instances of the same
class, a hash of the fields, ``Name(field=value, ...)`` as its repr,
immutability (:class:`dataclasses.FrozenInstanceError`, as a frozen dataclass
raises) and pickling by the constructor.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any, ClassVar

__all__ = ["Value"]


class Value:
    """Base of an immutable value whose fields are its class's ``_fields``."""

    __slots__ = ()
    #: The field names, in the constructor's order.
    _fields: ClassVar[tuple[str, ...]] = ()

    def _fill(self, *values: Any) -> None:
        """Set the fields, in ``_fields`` order; for ``__init__`` only."""
        for name, value in zip(self._fields, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return type(self), self._values()

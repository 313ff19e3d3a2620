"""Key rotation: find every encrypted secret, re-encrypt it, and check the result.

``manage.py otp_rotate_keys`` and the database check ``otp_core.E015`` use
these. A row counts as a *secret row* when any of its
:class:`~otp_core.models.fields.EncryptedSecretField` columns holds a value.
Values are read raw (cast to plain text), so a row no key opens is counted,
not turned into an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from . import crypto
from .models.challenge import SideChannelMixin
from .models.fields import EncryptedSecretField

__all__ = [
    "pending_codes",
    "raw_secrets",
    "secret_models",
    "secret_rows",
    "unreadable_count",
]


def secret_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every installed model with encrypted fields, with those fields' attribute names."""
    found = []
    for model in apps.get_models():
        names = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedSecretField)
        ]
        if names:
            found.append((model, names))
    return found


def secret_rows(model: type[models.Model], names: list[str], using: str | None = None) -> Any:
    """The rows of ``model`` with a value in any of the encrypted fields ``names``."""
    has_value = models.Q()
    for name in names:
        has_value |= models.Q(**{f"{name}__isnull": False}) & ~models.Q(**{name: ""})
    manager = model._default_manager
    if using is not None:
        manager = manager.db_manager(using)
    return manager.filter(has_value)


def raw_secrets(
    model: type[models.Model], names: list[str], using: str | None = None
) -> Iterator[tuple[Any, list[str]]]:
    """``(pk, [ciphertext, ...])`` of every secret row, as stored (not decrypted)."""
    raw = {f"_raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
    rows = secret_rows(model, names, using).annotate(**raw).order_by("pk")
    for row in rows.values_list("pk", *raw).iterator():
        yield row[0], [value for value in row[1:] if value]


def unreadable_count(model: type[models.Model], names: list[str], using: str | None = None) -> int:
    """How many secret rows of ``model`` hold a value no configured key decrypts."""
    count = 0
    for _pk, values in raw_secrets(model, names, using):
        for value in values:
            try:
                crypto.decrypt(value)
            except crypto.DecryptionError:
                count += 1
                break
    return count


def not_under_first_key_count(
    model: type[models.Model], names: list[str], using: str | None = None
) -> int:
    """How many secret rows of ``model`` still need a key other than the first."""
    return sum(
        1
        for _pk, values in raw_secrets(model, names, using)
        if not all(crypto.encrypted_under_first_key(v) for v in values)
    )


def pending_codes(using: str | None = None) -> tuple[int, datetime | None]:
    """Sent codes not yet used or expired, and when the last of them expires.

    Their hashes are keyed with the first configured key at sending time: one
    sent before a rotation stops working if the old key is removed before it
    expires (the user asks for another).
    """
    now = timezone.now()
    count, latest = 0, None
    for model in apps.get_models():
        if not issubclass(model, SideChannelMixin):
            continue
        manager = model._default_manager
        if using is not None:
            manager = manager.db_manager(using)
        pending = manager.exclude(token_hash="").filter(valid_until__gt=now)
        count += pending.count()
        last = pending.aggregate(last=models.Max("valid_until"))["last"]
        if last is not None and (latest is None or last > latest):
            latest = last
    return count, latest

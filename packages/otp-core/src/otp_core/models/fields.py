"""Model fields that keep device secrets encrypted in the database."""

from __future__ import annotations

import logging
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from .. import crypto

__all__ = ["EncryptedSecretField", "SealedSecret", "open_sealed"]

logger = logging.getLogger("otp_core")


class SealedSecret(str):
    """A stored ciphertext, not decrypted yet: what a loaded row holds until the secret is read.

    A row loaded to list devices or to answer ``is_verified()`` never reads
    its secret, so it never pays for decrypting it (nor loads the
    ``cryptography`` extension). The model attribute opens it on first read
    (:class:`DecryptOnAccess`); device querysets open it in ``values()`` and
    ``values_list()`` rows (:func:`open_sealed`).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<SealedSecret>"  # never the ciphertext in a traceback or a log


def open_sealed(value: Any, field: EncryptedSecretField | None = None) -> Any:
    """The plaintext of a :class:`SealedSecret` (``UnreadableSecret`` if no key opens it).

    Any other value is returned as it is.
    """
    if not isinstance(value, SealedSecret):
        return value
    try:
        return crypto.decrypt(str(value))
    except crypto.DecryptionError:
        # No secret in the message: only where it is and what to do.
        where = f"{field.model._meta.label}.{field.name}" if field is not None else "a device"
        logger.error(
            "A stored secret of %s cannot be decrypted with any key of "
            "OTP_ENCRYPTION_KEYS; its device refuses every token. Put the removed "
            "key back and run manage.py otp_rotate_keys (system check otp_core.E015).",
            where,
        )
        return crypto.UnreadableSecret(str(value))


class DecryptOnAccess(DeferredAttribute):
    """The attribute of an :class:`EncryptedSecretField`: decrypts on first read.

    A data descriptor (it has ``__set__``), so every read passes here even
    though the value lives in the instance ``__dict__``; the plaintext then
    replaces the sealed value there, so a row decrypts its secret once.
    """

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)  # loads a deferred field, as Django does
        if isinstance(value, SealedSecret):
            value = open_sealed(value, self.field)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedSecretField(models.TextField):
    """A text secret stored encrypted with the keys of ``OTP_ENCRYPTION_KEYS``.

    Python code sees the plaintext; the column only ever holds ciphertext. The
    value cannot be filtered on, since every write is freshly randomised.

    The value is decrypted when the attribute is first read, not when the row
    is loaded (:class:`SealedSecret`), so listing devices decrypts nothing.
    A value no configured key opens (a key was removed before
    ``otp_rotate_keys`` ran) reads as :class:`~otp_core.crypto.UnreadableSecret`
    and is logged, rather than failing every query that loads the row: the
    device then refuses every token (no 500 at sign-in), and saving the row
    keeps the ciphertext as it was.
    """

    description = "Secret text, encrypted at rest"
    descriptor_class = DecryptOnAccess

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        # Decrypted when the attribute is first read, not here: see SealedSecret.
        return SealedSecret(value)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if isinstance(value, SealedSecret):
            return value  # never read, so unchanged: written back as stored
        return super().pre_save(model_instance, add)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, (crypto.UnreadableSecret, SealedSecret)):
            # The ciphertext as it was read: never re-encrypt garbage, and a
            # secret never read is written back as it is.
            return str(value)
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

"""Model fields that keep device secrets encrypted in the database."""

from __future__ import annotations

import logging
from typing import Any

from django.db import models

from .. import crypto

__all__ = ["EncryptedSecretField"]

logger = logging.getLogger("otp_core")


class EncryptedSecretField(models.TextField):
    """A text secret stored encrypted with the keys of ``OTP_ENCRYPTION_KEYS``.

    Python code sees the plaintext; the column only ever holds ciphertext. The
    value cannot be filtered on, since every write is freshly randomised.

    A value no configured key opens (a key was removed before
    ``otp_rotate_keys`` ran) reads as :class:`~otp_core.crypto.UnreadableSecret`
    and is logged, rather than failing every query that loads the row: the
    device then refuses every token (no 500 at sign-in), and saving the row
    keeps the ciphertext as it was.
    """

    description = "Secret text, encrypted at rest"

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
        try:
            return crypto.decrypt(value)
        except crypto.DecryptionError:
            # No secret in the message: only where it is and what to do.
            logger.error(
                "A stored secret of %s.%s cannot be decrypted with any key of "
                "OTP_ENCRYPTION_KEYS; its device refuses every token. Put the removed "
                "key back and run manage.py otp_rotate_keys (system check otp_core.E015).",
                self.model._meta.label,
                self.name,
            )
            return crypto.UnreadableSecret(value)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, crypto.UnreadableSecret):
            return str(value)  # the ciphertext as it was read: never re-encrypt garbage
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

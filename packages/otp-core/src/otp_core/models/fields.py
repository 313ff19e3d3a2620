"""Model fields that keep device secrets encrypted in the database."""

from __future__ import annotations

from typing import Any

from django.db import models

from .. import crypto

__all__ = ["EncryptedSecretField"]


class EncryptedSecretField(models.TextField):
    """A text secret stored encrypted with the keys of ``OTP_ENCRYPTION_KEYS``.

    Python code sees the plaintext; the column only ever holds ciphertext. The
    value cannot be filtered on, since every write is freshly randomised.
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
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

"""Validators of YubiKey identifiers and keys, as the personalization tool shows them."""

from __future__ import annotations

import base64
import binascii
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import modhex

__all__ = [
    "aes_key_validator",
    "api_key_validator",
    "private_id_validator",
    "public_id_validator",
    "random_aes_key",
    "random_private_id",
]


def _hex_validator(value: str, size: int, message: str) -> None:
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raw = b""
    if len(raw) != size or len(value) != 2 * size:
        raise ValidationError(message, code="invalid")


def private_id_validator(value: str) -> None:
    """The private id (uid): 6 bytes as 12 hex characters."""
    _hex_validator(value, 6, _("The private id must be 12 hexadecimal characters (6 bytes)."))


def aes_key_validator(value: str) -> None:
    """The AES-128 key: 16 bytes as 32 hex characters."""
    _hex_validator(value, 16, _("The AES key must be 32 hexadecimal characters (16 bytes)."))


def public_id_validator(value: str) -> None:
    """A public id: 1 to 16 bytes in modhex (2 to 32 characters)."""
    if not (modhex.is_modhex(value) and 2 <= len(value) <= 32):
        raise ValidationError(
            _("The public id must be 2 to 32 modhex characters (cbdefghijklnrtuv)."),
            code="invalid",
        )


def api_key_validator(value: str) -> None:
    """A validation service's API key: base64, as Yubico issues it."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raw = b""
    if not raw:
        raise ValidationError(_("The API key must be base64 encoded."), code="invalid")


def random_private_id() -> str:
    return secrets.token_hex(6)


def random_aes_key() -> str:
    return secrets.token_hex(16)

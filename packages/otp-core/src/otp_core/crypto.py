"""Encryption of device secrets at rest and keyed hashes of one-time codes.

Keys come from ``OTP_ENCRYPTION_KEYS``: the first one encrypts and hashes, every
one decrypts and verifies, so a key can be rotated in by putting it first and
rotated out after ``manage.py otp_rotate_keys`` has re-encrypted every secret.
Each configured key is stretched with HKDF into separate keys for encryption
and for hashing, so one secret string never serves two purposes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from .conf import otp_settings

__all__ = [
    "DecryptionError",
    "check_code",
    "code_hashes",
    "configured_keys",
    "decrypt",
    "encrypt",
    "hash_code",
    "keys_from_secret_key",
    "reencrypt",
]

_HASH_PREFIX = "hmac-sha256$"


class DecryptionError(Exception):
    """A stored secret could not be decrypted with any configured key."""


def keys_from_secret_key() -> bool:
    """True when no ``OTP_ENCRYPTION_KEYS`` is set and SECRET_KEY stands in."""
    return otp_settings.OTP_ENCRYPTION_KEYS is None


def configured_keys() -> tuple[str | bytes, ...]:
    """The key material in force, first (encrypting) key first."""
    keys = otp_settings.OTP_ENCRYPTION_KEYS
    if keys is None:
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
    if isinstance(keys, (str, bytes)):
        keys = [keys]
    return tuple(keys)


def _derive(material: str | bytes, purpose: bytes) -> bytes:
    if isinstance(material, str):
        material = material.encode()
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"otp_core/" + purpose
    ).derive(material)


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str | bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, b"encryption"))) for k in keys])


@functools.lru_cache(maxsize=8)
def _hash_keys(keys: tuple[str | bytes, ...]) -> tuple[bytes, ...]:
    return tuple(_derive(k, b"code-hash") for k in keys)


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext`` under the first key (authenticated, randomised)."""
    return _fernet(configured_keys()).encrypt(plaintext.encode()).decode("ascii")


def decrypt(ciphertext: str) -> str:
    """Decrypt a value written by :func:`encrypt` with any configured key."""
    try:
        return _fernet(configured_keys()).decrypt(ciphertext.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise DecryptionError(
            "A device secret could not be decrypted with any key in "
            "OTP_ENCRYPTION_KEYS (was a key removed before otp_rotate_keys ran?)."
        ) from None


def reencrypt(ciphertext: str) -> str:
    """Return ``ciphertext`` encrypted again under the first key."""
    try:
        return _fernet(configured_keys()).rotate(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError):
        raise DecryptionError("A device secret could not be decrypted for rotation.") from None


def _digest(key: bytes, code: str) -> str:
    # surrogatepass: a lone surrogate (possible from JSON input) hashes instead of raising.
    data = code.encode("utf-8", "surrogatepass")
    return _HASH_PREFIX + hmac.new(key, data, hashlib.sha256).hexdigest()


def hash_code(code: str) -> str:
    """Keyed hash of a one-time code under the first key, safe to store."""
    return _digest(_hash_keys(configured_keys())[0], code)


def code_hashes(code: str) -> list[str]:
    """The hash of ``code`` under every key, for look-ups across a rotation."""
    return [_digest(k, code) for k in _hash_keys(configured_keys())]


def check_code(code: str, stored: str) -> bool:
    """Constant-time check of ``code`` against a stored hash, under every key."""
    # Bytes, not str: compare_digest refuses non-ASCII str, and a stored value
    # is data (perhaps damaged), which must give False rather than an error.
    stored_bytes = stored.encode("utf-8", "surrogatepass")
    ok = False
    for candidate in code_hashes(code):
        ok |= hmac.compare_digest(candidate.encode("ascii"), stored_bytes)
    return ok

"""Encryption of device secrets at rest and keyed hashes of one-time codes.

Keys come from ``OTP_ENCRYPTION_KEYS``: the first one encrypts and hashes, every
one decrypts and verifies, so a key can be rotated in by putting it first and
rotated out after ``manage.py otp_rotate_keys`` has re-encrypted every secret.
Each configured key is stretched with HKDF into separate keys for encryption
and for hashing, so one secret string never serves two purposes.

The keyed hashes of codes are in :mod:`otp_core.code_hashing` (still
importable from here).
"""

from __future__ import annotations

import base64
import functools
import hmac
from typing import TYPE_CHECKING

from django.conf import settings

from . import fernet_reader
from .conf import otp_settings
from .deferred import moved

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

__all__ = [
    "DecryptionError",
    "UnreadableSecret",
    "configured_keys",
    "decrypt",
    "encrypt",
    "encrypted_under_first_key",
    "keys_from_secret_key",
    "reencrypt",
]


class DecryptionError(Exception):
    """A stored secret could not be decrypted with any configured key."""


class UnreadableSecret(str):
    """What an encrypted field reads when no configured key opens the stored value.

    Its text is the ciphertext itself, which is neither hex nor a key list, so
    code that uses it as a secret fails rather than running with an empty key;
    device models check :func:`isinstance` and refuse every token instead.
    Saving it writes the same ciphertext back: putting the removed key back
    in ``OTP_ENCRYPTION_KEYS`` restores the device (system check ``otp_core.E015``).
    """

    __slots__ = ()


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
    if (
        not isinstance(keys, (list, tuple))
        or not keys
        or not all(isinstance(key, (str, bytes)) and key for key in keys)
    ):
        # An unset environment variable (otp_core.keys.from_environment) or a
        # wrong value: say which setting and how to make a key, not a KeyError.
        from django.core.exceptions import ImproperlyConfigured

        from .keys import missing_keys_message

        raise ImproperlyConfigured(missing_keys_message(keys))
    return tuple(keys)


def _derive(material: str | bytes, purpose: bytes) -> bytes:
    """HKDF-SHA256 (RFC 5869) of ``material``, no salt, 32 bytes, for ``purpose``.

    Written with :mod:`hmac` rather than ``cryptography``'s HKDF (the same
    bytes, checked against it in the tests) so that hashing a one-time code
    never loads the ``cryptography`` extension; only Fernet needs it.
    """
    if isinstance(material, str):
        material = material.encode()
    # Extract with the default salt (HashLen zero bytes), then one block of expand.
    prk = hmac.digest(bytes(32), material, "sha256")
    return hmac.digest(prk, b"otp_core/" + purpose + b"\x01", "sha256")


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str | bytes, ...]) -> MultiFernet:
    # Imported here, on the first encryption or decryption: a worker that never
    # opens a secret never pays for loading the extension (about 5 MiB RSS).
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, b"encryption"))) for k in keys])


def _invalid_token() -> type[Exception]:
    from cryptography.fernet import InvalidToken

    return InvalidToken


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext`` under the first key (authenticated, randomised)."""
    return _fernet(configured_keys()).encrypt(plaintext.encode()).decode("ascii")


@functools.lru_cache(maxsize=8)
def _encryption_keys(keys: tuple[str | bytes, ...]) -> tuple[bytes, ...]:
    return tuple(_derive(k, b"encryption") for k in keys)


def _read(ciphertext: str, keys: tuple[str | bytes, ...]) -> bytes:
    """The plaintext of a Fernet token under any of ``keys``.

    Through :mod:`otp_core.fernet_reader` (no ``cryptography`` extension
    loaded) where it can, else ``cryptography``'s Fernet: the same answers.
    Raises the same errors as ``Fernet.decrypt``.
    """
    token = ciphertext.encode("ascii")
    if fernet_reader.available():
        plaintext = fernet_reader.open_token(token, _encryption_keys(keys))
        if plaintext is None:
            raise ValueError("no key authenticates this token")
        return plaintext
    return _fernet(keys).decrypt(token)


def _unreadable() -> tuple[type[Exception], ...]:
    if fernet_reader.available():
        return (UnicodeError, ValueError)
    return (_invalid_token(), UnicodeError, ValueError)


def decrypt(ciphertext: str) -> str:
    """Decrypt a value written by :func:`encrypt` with any configured key."""
    try:
        return _read(ciphertext, configured_keys()).decode()
    except _unreadable():
        raise DecryptionError(
            "A device secret could not be decrypted with any key in "
            "OTP_ENCRYPTION_KEYS (was a key removed before otp_rotate_keys ran?)."
        ) from None


def reencrypt(ciphertext: str) -> str:
    """Return ``ciphertext`` encrypted again under the first key."""
    fernet = _fernet(configured_keys())
    try:
        return fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
    except (_invalid_token(), UnicodeError, ValueError):
        raise DecryptionError("A device secret could not be decrypted for rotation.") from None


def encrypted_under_first_key(ciphertext: str) -> bool:
    """True when the first key alone decrypts ``ciphertext`` (rotation is done for it)."""
    try:
        _read(ciphertext, configured_keys()[:1])
    except _unreadable():
        return False
    return True


# The keyed hashes of one-time codes live in otp_core.code_hashing (loaded by
# the first code hashed or checked); still importable from here.
__getattr__ = moved(
    __name__,
    dict.fromkeys(
        (
            "CODE_KEY_HASH_PREFIX",
            "CONFIGURED_KEY_HASH_PREFIX",
            "as_code_key_hash",
            "check_code",
            "code_hashes",
            "code_hashes_with",
            "configured_hash_keys",
            "hash_code",
            "hash_code_with",
            "is_configured_key_hash",
            "new_code_key",
        ),
        "otp_core.code_hashing",
    ),
)

"""Encryption of device secrets at rest and keyed hashes of one-time codes.

Keys come from ``OTP_ENCRYPTION_KEYS``: the first one encrypts and hashes, every
one decrypts and verifies, so a key can be rotated in by putting it first and
rotated out after ``manage.py otp_rotate_keys`` has re-encrypted every secret.
Each configured key is stretched with HKDF into separate keys for encryption
and for hashing, so one secret string never serves two purposes.

Hashes that must outlive a key rotation (backup codes) are keyed instead with
a random *code key* of their own (:func:`new_code_key`, :func:`hash_code_with`)
that is stored in an encrypted field, so rotation re-encrypts it like any
other secret and removing an old key loses nothing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from django.conf import settings

from . import fernet_reader
from .conf import otp_settings

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

__all__ = [
    "CODE_KEY_HASH_PREFIX",
    "CONFIGURED_KEY_HASH_PREFIX",
    "DecryptionError",
    "UnreadableSecret",
    "as_code_key_hash",
    "check_code",
    "code_hashes",
    "code_hashes_with",
    "configured_hash_keys",
    "configured_keys",
    "decrypt",
    "encrypt",
    "encrypted_under_first_key",
    "hash_code",
    "hash_code_with",
    "is_configured_key_hash",
    "keys_from_secret_key",
    "new_code_key",
    "reencrypt",
]

_HASH_PREFIX = "hmac-sha256$"
#: Prefix of hashes made by :func:`hash_code` (under a configured key).
CONFIGURED_KEY_HASH_PREFIX = _HASH_PREFIX
#: Prefix of hashes keyed with a code key (:func:`hash_code_with`), so a stored
#: hash tells whether it still depends on ``OTP_ENCRYPTION_KEYS``.
CODE_KEY_HASH_PREFIX = "hmac-sha256-k$"


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


@functools.lru_cache(maxsize=8)
def _hash_keys(keys: tuple[str | bytes, ...]) -> tuple[bytes, ...]:
    return tuple(_derive(k, b"code-hash") for k in keys)


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


def _digest(key: bytes, code: str, prefix: str = _HASH_PREFIX) -> str:
    # surrogatepass: a lone surrogate (possible from JSON input) hashes instead of raising.
    data = code.encode("utf-8", "surrogatepass")
    return prefix + hmac.new(key, data, hashlib.sha256).hexdigest()


def hash_code(code: str) -> str:
    """Keyed hash of a one-time code under the first key, safe to store."""
    return _digest(_hash_keys(configured_keys())[0], code)


def code_hashes(code: str) -> list[str]:
    """The hash of ``code`` under every key, for look-ups across a rotation."""
    return [_digest(k, code) for k in _hash_keys(configured_keys())]


def configured_hash_keys() -> tuple[bytes, ...]:
    """The code-hash keys derived from every configured key, first key first.

    Backup code sets made before per-set code keys existed adopt these
    (stored encrypted) when ``otp_rotate_keys`` runs, so their hashes keep
    matching after the key that made them is removed.
    """
    return _hash_keys(configured_keys())


def new_code_key() -> bytes:
    """A fresh random 32-byte key for :func:`hash_code_with`."""
    return secrets.token_bytes(32)


def hash_code_with(key: bytes, code: str) -> str:
    """Keyed hash of ``code`` under a code key of its own (see :func:`new_code_key`)."""
    return _digest(key, code, CODE_KEY_HASH_PREFIX)


def code_hashes_with(keys: tuple[bytes, ...] | list[bytes], code: str) -> list[str]:
    """The hash of ``code`` under each of ``keys``, for look-ups."""
    return [_digest(key, code, CODE_KEY_HASH_PREFIX) for key in keys]


def is_configured_key_hash(stored: str) -> bool:
    """True for a hash made by :func:`hash_code`: it needs the key that made it."""
    return stored.startswith(_HASH_PREFIX)


def as_code_key_hash(stored: str) -> str:
    """A :func:`hash_code` hash relabelled as one under an adopted code key.

    The digest is unchanged: once the derived key that made it is one of the
    set's code keys (:func:`configured_hash_keys`), :func:`code_hashes_with`
    finds it without any key of ``OTP_ENCRYPTION_KEYS``.
    """
    if not is_configured_key_hash(stored):
        return stored
    return CODE_KEY_HASH_PREFIX + stored[len(_HASH_PREFIX) :]


def check_code(code: str, stored: str) -> bool:
    """Constant-time check of ``code`` against a stored hash, under every key."""
    # Bytes, not str: compare_digest refuses non-ASCII str, and a stored value
    # is data (perhaps damaged), which must give False rather than an error.
    stored_bytes = stored.encode("utf-8", "surrogatepass")
    ok = False
    for candidate in code_hashes(code):
        ok |= hmac.compare_digest(candidate.encode("ascii"), stored_bytes)
    return ok

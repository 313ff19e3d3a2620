"""Keyed hashes of one-time codes: backup codes and sent codes are stored only hashed.

:func:`hash_code` hashes under the first key of ``OTP_ENCRYPTION_KEYS``
(HKDF-derived, apart from the encryption key) and :func:`check_code` checks
under every key, in constant time. Hashes that must outlive a key rotation
(backup codes) are keyed instead with a random *code key* of their own
(:func:`new_code_key`, :func:`hash_code_with`) that is stored in an encrypted
field, so rotation re-encrypts it like any other secret and removing an old
key loses nothing. A sign-in with an authenticator app never loads this module.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from .crypto import _derive, configured_keys

__all__ = [
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
]

_HASH_PREFIX = "hmac-sha256$"
#: Prefix of hashes made by :func:`hash_code` (under a configured key).
CONFIGURED_KEY_HASH_PREFIX = _HASH_PREFIX
#: Prefix of hashes keyed with a code key (:func:`hash_code_with`), so a stored
#: hash tells whether it still depends on ``OTP_ENCRYPTION_KEYS``.
CODE_KEY_HASH_PREFIX = "hmac-sha256-k$"


@functools.lru_cache(maxsize=8)
def _hash_keys(keys: tuple[str | bytes, ...]) -> tuple[bytes, ...]:
    return tuple(_derive(k, b"code-hash") for k in keys)


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

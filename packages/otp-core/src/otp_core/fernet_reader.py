"""Opening Fernet tokens without loading the ``cryptography`` extension.

Every sign-in with an authenticator app decrypts one device secret. Loading
``cryptography`` for that costs a worker about 7.6 MiB of memory (its Rust
extension and a second OpenSSL initialisation), although the process already
holds OpenSSL's libcrypto: Python's :mod:`hashlib` is built on it. This
module reads a token with what is already there:

1. the token's HMAC-SHA256 is checked first with :mod:`hmac`
   (``hmac.compare_digest``): Fernet is encrypt-then-MAC, so nothing that a
   configured key did not write is ever decrypted;
2. the authenticated ciphertext is decrypted with AES-128-CBC through
   OpenSSL's EVP interface (``ctypes``), the same library and code that
   ``cryptography`` calls, padding checked by OpenSSL.

The token format is Fernet's (version byte ``0x80``, 8-byte timestamp,
16-byte IV, ciphertext, 32-byte HMAC; a 32-byte key whose first half signs
and second half encrypts). Tokens are not checked for age, as
:meth:`cryptography.fernet.Fernet.decrypt` without ``ttl``. Writing
(encryption) stays with ``cryptography``. Where libcrypto cannot be loaded
this way (not Linux, or a Python without OpenSSL), :func:`available` is
False and :mod:`otp_core.crypto` uses ``cryptography`` for reading too; the
tests hold both paths to the same answers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import threading
from typing import Any

__all__ = ["available", "open_token"]

_VERSION = 0x80
_HEADER = 1 + 8 + 16  # version, timestamp, IV
_MAC = 32
_BLOCK = 16

_lock = threading.Lock()
_lib: Any = None
_loaded = False


#: A system libcrypto's file name ("libcrypto.so.3"), as Python's ``_hashlib``
#: links it. Copies bundled in wheels are renamed ("libcrypto-3a0647ea.so.3",
#: psycopg-binary's) and are not the library ``hashlib`` initialised.
_SYSTEM_NAME = re.compile(r"libcrypto\.so(?:\.\d+)*")


def _loaded_libcrypto() -> str | None:
    """The path of the system libcrypto this process already mapped (Linux), else None.

    The very library :mod:`hashlib` uses: no second copy, no ``ldconfig`` run.
    """
    import _hashlib  # noqa: F401  (maps libcrypto, if Python was built with it)

    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = "/" + line.rstrip("\n").partition("/")[2]
                if _SYSTEM_NAME.fullmatch(path.rpartition("/")[2]):
                    return path
    except OSError:
        pass
    return None


def _load() -> Any:
    """libcrypto with the EVP functions typed, or None."""
    global _lib, _loaded
    with _lock:
        if _loaded:
            return _lib
        _loaded = True
        import ctypes

        try:
            name = _loaded_libcrypto()
        except ImportError:
            name = None
        if name is None:
            return None
        try:
            lib = ctypes.CDLL(name)
            for function, (restype, argtypes) in _signatures(ctypes).items():
                getattr(lib, function).restype = restype
                getattr(lib, function).argtypes = argtypes
        except (OSError, AttributeError):
            return None
        _lib = lib
        return lib


def _signatures(ctypes: Any) -> dict[str, tuple[Any, list[Any]]]:
    """The EVP functions used, as ``name: (return type, argument types)``."""
    pointer, length = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)
    return {
        "EVP_CIPHER_CTX_new": (pointer, []),
        "EVP_CIPHER_CTX_free": (None, [pointer]),
        "EVP_aes_128_cbc": (pointer, []),
        "EVP_DecryptInit_ex": (
            ctypes.c_int,
            [pointer, pointer, pointer, ctypes.c_char_p, ctypes.c_char_p],
        ),
        "EVP_DecryptUpdate": (
            ctypes.c_int,
            [pointer, pointer, length, ctypes.c_char_p, ctypes.c_int],
        ),
        "EVP_DecryptFinal_ex": (ctypes.c_int, [pointer, pointer, length]),
    }


def available() -> bool:
    """Can tokens be opened here without ``cryptography``?"""
    return _load() is not None


def _aes_128_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes | None:
    """PKCS#7-unpadded plaintext, or None when OpenSSL refuses (bad padding)."""
    import ctypes

    lib = _load()
    ctx = lib.EVP_CIPHER_CTX_new()
    if not ctx:
        raise MemoryError("EVP_CIPHER_CTX_new failed")
    try:
        if lib.EVP_DecryptInit_ex(ctx, lib.EVP_aes_128_cbc(), None, key, iv) != 1:
            return None
        out = ctypes.create_string_buffer(len(ciphertext) + _BLOCK)
        written, last = ctypes.c_int(0), ctypes.c_int(0)
        if lib.EVP_DecryptUpdate(ctx, out, ctypes.byref(written), ciphertext, len(ciphertext)) != 1:
            return None
        tail = ctypes.byref(out, written.value)
        if lib.EVP_DecryptFinal_ex(ctx, tail, ctypes.byref(last)) != 1:
            return None
        return out.raw[: written.value + last.value]
    finally:
        lib.EVP_CIPHER_CTX_free(ctx)


def open_token(token: bytes, keys: tuple[bytes, ...] | list[bytes]) -> bytes | None:
    """The plaintext of Fernet ``token`` under the first of ``keys`` whose MAC
    matches (each key 32 bytes, raw), or None when none authenticates it.

    Call only when :func:`available` is True.
    """
    try:
        data = base64.urlsafe_b64decode(token)
    except (binascii.Error, ValueError):
        return None
    body = len(data) - _HEADER - _MAC
    if body < _BLOCK or body % _BLOCK or data[0] != _VERSION:
        return None
    signed, mac = data[:-_MAC], data[-_MAC:]
    for key in keys:
        if len(key) != 32:
            raise ValueError("A Fernet key is 32 bytes.")
        if hmac.compare_digest(hmac.new(key[:16], signed, hashlib.sha256).digest(), mac):
            return _aes_128_cbc_decrypt(key[16:], data[9:_HEADER], data[_HEADER:-_MAC])
    return None

"""HOTP (RFC 4226) and TOTP (RFC 6238) as pure functions.

No Django import: this module is the engine every OATH device builds on, and it
is small enough to audit in one sitting. Keys are raw bytes; tokens are the
decimal strings a person types.
"""

from __future__ import annotations

import hashlib
import hmac
import time as _time
from collections.abc import Callable

__all__ = [
    "ALGORITHMS",
    "format_token",
    "hotp",
    "time_step",
    "totp",
    "verify_hotp",
    "verify_totp",
]

#: Hash algorithms RFC 6238 allows, by the names ``hashlib`` knows.
ALGORITHMS = ("sha1", "sha256", "sha512")
_HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}
_BLOCK_SIZES = {"sha1": 64, "sha256": 64, "sha512": 128}  # FIPS 180-4
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))

_MODULI = {6: 10**6, 7: 10**7, 8: 10**8}
#: HOTP counters are 8-byte unsigned integers (RFC 4226, section 5.2).
_MAX_COUNTER = 2**64 - 1


def _modulus(digits: int) -> int:
    try:
        return _MODULI[digits]
    except KeyError:
        raise ValueError("digits must be 6, 7 or 8") from None


def _check_algorithm(algorithm: str) -> None:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}")


def _check_counter(counter: int) -> None:
    if not 0 <= counter <= _MAX_COUNTER:
        raise ValueError("counter must be between 0 and 2**64 - 1")


def _keyed_mac(key: bytes, algorithm: str) -> Callable[[bytes], bytes]:
    """HMAC (RFC 2104) under ``key`` for several messages, the key's pads hashed once.

    A verification window computes up to 2 * tolerance + 1 HMACs with one key;
    OpenSSL 3 sets up a fresh context for every one-shot ``hmac.digest``, which
    costs more than hashing an 8-byte counter. Cloning the padded states is
    HMAC by its definition, checked against ``hmac.digest`` by the RFC vectors
    and the pyotp and oathtool tests.
    """
    new = _HASHES[algorithm]
    block = _BLOCK_SIZES[algorithm]
    key = bytes(key)
    if len(key) > block:
        key = new(key).digest()
    key = key.ljust(block, b"\0")
    inner, outer = new(key.translate(_IPAD)), new(key.translate(_OPAD))

    def mac(message: bytes) -> bytes:
        h = inner.copy()
        h.update(message)
        o = outer.copy()
        o.update(h.digest())
        return o.digest()

    return mac


def _one_mac(key: bytes, message: bytes, algorithm: str) -> bytes:
    """HMAC (RFC 2104) of one message: two one-shot hashes of pad + data.

    Faster than ``hmac.digest`` for one short message (OpenSSL 3 builds an
    HMAC context per call); the same bytes, checked by the RFC vectors.
    """
    new = _HASHES[algorithm]
    block = _BLOCK_SIZES[algorithm]
    if type(key) is not bytes:
        key = bytes(key)
    if len(key) > block:
        key = new(key).digest()
    key = key.ljust(block, b"\0")
    return new(key.translate(_OPAD) + new(key.translate(_IPAD) + message).digest()).digest()


def hotp(key: bytes, counter: int, digits: int = 6, algorithm: str = "sha1") -> int:
    """Return the HOTP value of ``key`` at ``counter`` (RFC 4226, section 5.3)."""
    modulus = _modulus(digits)
    _check_algorithm(algorithm)
    _check_counter(counter)
    mac = _one_mac(key, counter.to_bytes(8, "big"), algorithm)
    offset = mac[-1] & 0x0F
    return (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % modulus


def time_step(t: float, step: int = 30, t0: int = 0) -> int:
    """Return the RFC 6238 time counter ``T`` for the Unix time ``t``."""
    if step <= 0:
        raise ValueError("step must be positive")
    return int((t - t0) // step)


def totp(
    key: bytes,
    t: float | None = None,
    *,
    step: int = 30,
    t0: int = 0,
    digits: int = 6,
    algorithm: str = "sha1",
    drift: int = 0,
) -> int:
    """Return the TOTP value of ``key`` at Unix time ``t`` (now by default)."""
    if t is None:
        t = _time.time()
    return hotp(key, time_step(t, step, t0) + drift, digits, algorithm)


def format_token(value: int, digits: int = 6) -> str:
    """Render an OTP value as the zero-padded string a person reads."""
    return f"{value:0{digits}d}"


def _parse(token: str | int, digits: int) -> int | None:
    """The token's integer value, or None when it cannot be a valid code."""
    if type(token) is str:  # the usual case first
        if len(token) != digits or not (token.isascii() and token.isdigit()):
            return None
        return int(token)
    if isinstance(token, bool):
        return None
    if isinstance(token, int):
        return token if 0 <= token < _modulus(digits) else None
    if len(token) != digits or not (token.isascii() and token.isdigit()):
        return None
    return int(token)


def _search(
    key: bytes, wanted: int, first: int, last: int, modulus: int, algorithm: str
) -> int | None:
    """The first counter in ``first..last`` whose value is ``wanted``, or None."""
    wanted_bytes = wanted.to_bytes(4, "big")
    compare = hmac.compare_digest
    if first == last:
        # One counter (an HOTP check without a window): no state to clone, so
        # hash the padded key and the message in one go (HMAC by definition).
        mac = _one_mac(key, first.to_bytes(8, "big"), algorithm)
        offset = mac[-1] & 0x0F
        value = (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % modulus
        return first if compare(value.to_bytes(4, "big"), wanted_bytes) else None
    mac_of = _keyed_mac(key, algorithm)
    for c in range(first, last + 1):
        mac = mac_of(c.to_bytes(8, "big"))
        offset = mac[-1] & 0x0F
        value = (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % modulus
        # Compare as bytes in constant time: the code is what the user typed.
        if compare(value.to_bytes(4, "big"), wanted_bytes):
            return c
    return None


def verify_hotp(
    key: bytes,
    token: str | int,
    counter: int,
    *,
    window: int = 0,
    digits: int = 6,
    algorithm: str = "sha1",
) -> int | None:
    """Look for ``token`` at counters ``counter`` to ``counter + window``.

    Returns the counter that matched, so the caller can move past it and refuse
    the same code again, or None when nothing matched.
    """
    modulus = _MODULI.get(digits) or _modulus(digits)
    if algorithm not in _HASHES:
        _check_algorithm(algorithm)
    if not 0 <= counter <= _MAX_COUNTER:
        _check_counter(counter)
    if window == 0 and type(token) is str:
        # One counter, the usual HOTP answer: no loop, no padded-state set-up,
        # and the code compared as the text typed (ASCII digits of the length).
        if len(token) != digits or not (token.isascii() and token.isdigit()):
            return None
        mac = _one_mac(key, counter.to_bytes(8, "big"), algorithm)
        offset = mac[-1] & 0x0F
        value = (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % modulus
        # str().zfill(): the same text as f"{value:0{digits}d}", in a third of the time.
        return counter if hmac.compare_digest(str(value).zfill(digits), token) else None
    wanted = _parse(token, digits)
    if wanted is None:
        return None
    last = min(counter + window, _MAX_COUNTER)
    return _search(key, wanted, counter, last, modulus, algorithm)


def verify_totp(
    key: bytes,
    token: str | int,
    t: float | None = None,
    *,
    step: int = 30,
    t0: int = 0,
    digits: int = 6,
    algorithm: str = "sha1",
    tolerance: int = 1,
    drift: int = 0,
    after: int | None = None,
) -> int | None:
    """Look for ``token`` within ``tolerance`` steps of now (shifted by ``drift``).

    Returns the time counter ``T`` that matched, or None. Counters at or before
    ``after`` are not tried: pass the last accepted counter to refuse replays.
    """
    modulus = _modulus(digits)
    _check_algorithm(algorithm)
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    if t is None:
        t = _time.time()
    centre = time_step(t, step, t0) + drift
    # Counters below zero do not exist (near the epoch, or t0 in the future).
    first = max(centre - tolerance, 0)
    if after is not None and first <= after:
        first = after + 1
    last = min(centre + tolerance, _MAX_COUNTER)
    wanted = _parse(token, digits)
    if wanted is None or first > last:
        return None
    return _search(key, wanted, first, last, modulus, algorithm)

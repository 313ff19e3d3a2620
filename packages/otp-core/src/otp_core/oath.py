"""HOTP (RFC 4226) and TOTP (RFC 6238) as pure functions.

No Django import: this module is the engine every OATH device builds on, and it
is small enough to audit in one sitting. Keys are raw bytes; tokens are the
decimal strings a person types.
"""

from __future__ import annotations

import hmac
import time as _time

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

_MODULI = {6: 10**6, 7: 10**7, 8: 10**8}


def _modulus(digits: int) -> int:
    try:
        return _MODULI[digits]
    except KeyError:
        raise ValueError("digits must be 6, 7 or 8") from None


def _check_algorithm(algorithm: str) -> None:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}")


def hotp(key: bytes, counter: int, digits: int = 6, algorithm: str = "sha1") -> int:
    """Return the HOTP value of ``key`` at ``counter`` (RFC 4226, section 5.3)."""
    modulus = _modulus(digits)
    _check_algorithm(algorithm)
    mac = hmac.digest(key, counter.to_bytes(8, "big"), algorithm)
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
    if isinstance(token, int):
        return token if 0 <= token < _modulus(digits) else None
    if len(token) != digits or not (token.isascii() and token.isdigit()):
        return None
    return int(token)


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
    modulus = _modulus(digits)
    _check_algorithm(algorithm)
    wanted = _parse(token, digits)
    if wanted is None:
        return None
    wanted_bytes = wanted.to_bytes(4, "big")
    digest = hmac.digest
    compare = hmac.compare_digest
    for c in range(counter, counter + window + 1):
        mac = digest(key, c.to_bytes(8, "big"), algorithm)
        offset = mac[-1] & 0x0F
        value = (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % modulus
        if compare(value.to_bytes(4, "big"), wanted_bytes):
            return c
    return None


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
    if t is None:
        t = _time.time()
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    centre = time_step(t, step, t0) + drift
    first = centre - tolerance
    if after is not None and first <= after:
        first = after + 1
    last = centre + tolerance
    if first > last:
        return None
    return verify_hotp(key, token, first, window=last - first, digits=digits, algorithm=algorithm)

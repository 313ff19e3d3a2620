"""Backup codes as strings: generation, the canonical form, display grouping.

A code is stored as ``device.hash_for_storage(normalize_code(code))``; what
the user types goes through :func:`normalize_code` too, so "ABCDE-FGHJK",
"abcde fghjk" and "abcdefghjk" are the same code.
"""

from __future__ import annotations

import math
import re
import secrets

from .conf import static_settings

__all__ = [
    "MAX_CODE_LENGTH",
    "entropy_bits",
    "format_code",
    "generate_code",
    "normalize_code",
]

#: Longer input is refused before hashing (the verification form allows 64).
MAX_CODE_LENGTH = 64

# Whitespace, ASCII hyphen-minus and the Unicode dashes a copy-paste may bring.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def _alphabet(alphabet: str | None) -> str:
    return static_settings.OTP_STATIC_TOKEN_ALPHABET if alphabet is None else alphabet


def generate_code(length: int | None = None, alphabet: str | None = None) -> str:
    """A fresh random code from the OS's CSPRNG, in canonical form."""
    alphabet = _alphabet(alphabet)
    if length is None:
        length = static_settings.OTP_STATIC_TOKEN_LENGTH
    symbols = "".join(dict.fromkeys(alphabet))
    return "".join(secrets.choice(symbols) for _ in range(length))


def normalize_code(token: str, alphabet: str | None = None) -> str:
    """The canonical form of a typed code: no separators, case folded.

    Case is folded to the alphabet's case (lower case when the alphabet has
    no letters); it is kept only when the alphabet mixes both cases.
    """
    alphabet = _alphabet(alphabet)
    code = _SEPARATORS.sub("", token)
    has_lower = any(c.islower() for c in alphabet)
    has_upper = any(c.isupper() for c in alphabet)
    if has_upper and not has_lower:
        return code.upper()
    if has_lower and has_upper:
        return code
    return code.lower()


def format_code(code: str) -> str:
    """``code`` in hyphen-separated groups of 4 or 5 for reading aloud or printing."""
    code = normalize_code(code)
    if len(code) <= 5:
        return code
    size = 5 if len(code) % 5 == 0 and len(code) % 4 != 0 else 4
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


def entropy_bits(length: int | None = None, alphabet: str | None = None) -> float:
    """Bits of entropy of one generated code (length x log2 of distinct symbols)."""
    if length is None:
        length = static_settings.OTP_STATIC_TOKEN_LENGTH
    symbols = len(set(_alphabet(alphabet)))
    return length * math.log2(symbols) if symbols > 1 else 0.0

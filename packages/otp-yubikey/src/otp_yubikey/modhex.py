"""Modhex, the keyboard-layout-proof hex alphabet a YubiKey types. No Django."""

from __future__ import annotations

__all__ = ["ALPHABET", "decode", "encode", "is_modhex"]

#: The 16 characters standing for the hex digits 0-f, in order.
ALPHABET = "cbdefghijklnrtuv"
_TO_HEX = str.maketrans(ALPHABET, "0123456789abcdef")
_FROM_HEX = str.maketrans("0123456789abcdef", ALPHABET)
_CHARS = frozenset(ALPHABET)


def is_modhex(text: str) -> bool:
    """True for a string of an even number of modhex characters (lower case)."""
    return isinstance(text, str) and len(text) % 2 == 0 and set(text) <= _CHARS


def decode(text: str) -> bytes:
    """The bytes ``text`` encodes; ``ValueError`` if it is not modhex."""
    if not is_modhex(text):
        raise ValueError("not a modhex string")
    return bytes.fromhex(text.translate(_TO_HEX))


def encode(data: bytes) -> str:
    """``data`` as modhex (two characters a byte)."""
    return data.hex().translate(_FROM_HEX)

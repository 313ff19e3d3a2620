"""Yubico OTP: split, decrypt and check the 32-character part a YubiKey types.

The key types ``<public id><otp>``: a modhex public id of 0 to 16 bytes, then
16 bytes of AES-128-ECB ciphertext as 32 modhex characters. The plaintext is
uid (6 bytes), usage counter (2, little-endian, bit 15 = triggered with caps
lock), timestamp (3), session use counter (1), random (2) and a CRC-16 whose
residue over all 16 bytes is 0xf0b8 (Yubico's OTP specification). No Django.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from . import modhex

__all__ = [
    "CAPS_LOCK_BIT",
    "MAX_LENGTH",
    "OTP_LENGTH",
    "DecodedOTP",
    "InvalidOTP",
    "crc16",
    "decrypt",
    "split",
]

#: Modhex characters of the encrypted part.
OTP_LENGTH = 32
#: A public id is at most 16 bytes (32 modhex characters).
MAX_PUBLIC_ID_LENGTH = 32
MAX_LENGTH = OTP_LENGTH + MAX_PUBLIC_ID_LENGTH
#: Bit 15 of the usage counter says caps lock was on; it is not part of the count.
CAPS_LOCK_BIT = 0x8000
CRC_RESIDUE = 0xF0B8


class InvalidOTP(ValueError):
    """The text is not a well-formed OTP, or it does not decrypt with this key."""


@dataclass(frozen=True)
class DecodedOTP:
    """The decrypted fields of one OTP (``repr`` leaves out the private uid)."""

    public_id: str
    uid: bytes
    #: Non-volatile usage counter, caps-lock bit masked off (0-0x7fff).
    session: int
    #: Volatile use counter within the session (0-255).
    counter: int
    caps_lock: bool
    timestamp: int
    random: int

    def __repr__(self) -> str:
        return (
            f"DecodedOTP(public_id={self.public_id!r}, session={self.session}, "
            f"counter={self.counter})"
        )


def crc16(data: bytes) -> int:
    """CRC-16 (ISO 13239, reflected polynomial 0x8408, initial 0xffff) as Yubico uses it."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def split(token: str) -> tuple[str, str]:
    """``(public id, encrypted part)`` of a typed OTP; ``InvalidOTP`` if malformed."""
    if not isinstance(token, str) or not OTP_LENGTH <= len(token) <= MAX_LENGTH:
        raise InvalidOTP("wrong length")
    if not modhex.is_modhex(token):
        raise InvalidOTP("not modhex")
    return token[:-OTP_LENGTH], token[-OTP_LENGTH:]


def decrypt(token: str, key: bytes) -> DecodedOTP:
    """Decrypt ``token`` with the 16-byte AES ``key`` and check its CRC.

    Raises :class:`InvalidOTP` for a malformed token or a wrong key (the CRC
    then fails); the caller still compares the uid and the counters.
    """
    if len(key) != 16:
        raise InvalidOTP("the AES key must be 16 bytes")
    public_id, encrypted = split(token)
    # Imported on first use, not at django.setup(): a worker that checks no
    # YubiKey never loads the cryptography extension.
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305
    plain = decryptor.update(modhex.decode(encrypted)) + decryptor.finalize()
    if crc16(plain) != CRC_RESIDUE:
        raise InvalidOTP("CRC mismatch")
    uid, usage, ts_low, ts_high, use, rnd = struct.unpack("<6sHHBBH", plain[:14])
    return DecodedOTP(
        public_id=public_id,
        uid=uid,
        session=usage & ~CAPS_LOCK_BIT,
        counter=use,
        caps_lock=bool(usage & CAPS_LOCK_BIT),
        timestamp=(ts_high << 16) | ts_low,
        random=rnd,
    )

"""The signed, expiring token in a voice call's TwiML URL.

The device keeps only a hash of its code, so the call URL has to carry the
code itself. It travels encrypted (otp-core's key, Fernet) inside a
``TimestampSigner`` value that expires after ``OTP_PHONE_CALL_URL_MAX_AGE``
seconds, and the TwiML view speaks it only while the device still has that
code pending: the URL is useless once the code was used, replaced or expired.
"""

from __future__ import annotations

import json

from django.core import signing

from otp_core import crypto

from .conf import phone_settings

__all__ = ["SALT", "InvalidCallToken", "sign_call", "unsign_call"]

SALT = "otp_phone.twilio.call"


class InvalidCallToken(Exception):
    """The token is tampered with, expired or unreadable (the reason is not told)."""


def sign_call(device_pk: int, code: str) -> str:
    payload = crypto.encrypt(json.dumps({"d": device_pk, "c": code}))
    return signing.TimestampSigner(salt=SALT).sign(payload)


def unsign_call(token: str) -> tuple[int, str]:
    """``(device pk, code)`` from a token made by :func:`sign_call`."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=phone_settings.OTP_PHONE_CALL_URL_MAX_AGE
        )
        data = json.loads(crypto.decrypt(payload))
        return int(data["d"]), str(data["c"])
    except (signing.BadSignature, crypto.DecryptionError, ValueError, KeyError, TypeError):
        raise InvalidCallToken from None

"""The signed, expiring, single-use token in a voice call's TwiML URL.

The device keeps only a hash of its code, so the call URL has to carry the
code itself. It travels encrypted (otp-core's key, Fernet) inside a
``TimestampSigner`` value that expires after ``OTP_PHONE_CALL_URL_MAX_AGE``
seconds, with a random nonce whose hash the device keeps. The TwiML view
speaks it only while the device still has that code pending, and
:func:`consume_call` clears the nonce atomically: the URL works once, and
not at all once the code was used, replaced or expired.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

from django.core import signing
from django.db import router, transaction
from django.utils import timezone

from otp_core import crypto
from otp_core.verification import locked

from .conf import phone_settings

if TYPE_CHECKING:
    from .models import PhoneDevice

__all__ = ["SALT", "InvalidCallToken", "consume_call", "sign_call", "unsign_call"]

SALT = "otp_phone.twilio.call"


class InvalidCallToken(Exception):
    """The token is tampered with, expired or unreadable (the reason is not told)."""


def sign_call(device: PhoneDevice, code: str) -> str:
    """The token for a call to ``device`` saying ``code``.

    Sets ``device.call_nonce_hash`` (one of its ``challenge_fields``, saved
    by the challenge path): a later call replaces the nonce, so only the
    newest URL works.
    """
    nonce = secrets.token_urlsafe(16)
    device.call_nonce_hash = crypto.hash_code(nonce)
    payload = crypto.encrypt(json.dumps({"d": device.pk, "c": code, "n": nonce}))
    return signing.TimestampSigner(salt=SALT).sign(payload)


def unsign_call(token: str) -> tuple[int, str, str]:
    """``(device pk, code, nonce)`` from a token made by :func:`sign_call`."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=phone_settings.OTP_PHONE_CALL_URL_MAX_AGE
        )
        data = json.loads(crypto.decrypt(payload))
        return int(data["d"]), str(data["c"]), str(data["n"])
    except (signing.BadSignature, crypto.DecryptionError, ValueError, KeyError, TypeError):
        raise InvalidCallToken from None


def consume_call(token: str) -> str:
    """The code to speak for ``token``, which can never be used again.

    In one transaction with the device row locked: the code must still be
    pending and the nonce the newest, and the nonce is cleared. Raises
    :class:`InvalidCallToken` otherwise (the reason is not told).
    """
    from .models import PhoneDevice

    pk, code, nonce = unsign_call(token)
    with transaction.atomic(using=router.db_for_write(PhoneDevice)):
        device = PhoneDevice.objects.filter(pk=pk).first()
        if device is None:
            raise InvalidCallToken
        device = locked(device)
        fresh = device.valid_until is not None and timezone.now() < device.valid_until
        # Both checks always run: no timing difference tells which one failed.
        code_ok = bool(device.token_hash) and crypto.check_code(code, device.token_hash)
        nonce_ok = bool(device.call_nonce_hash) and crypto.check_code(nonce, device.call_nonce_hash)
        if not (fresh and code_ok and nonce_ok):
            raise InvalidCallToken
        device.call_nonce_hash = ""
        device.save(update_fields=["call_nonce_hash"])
    return code

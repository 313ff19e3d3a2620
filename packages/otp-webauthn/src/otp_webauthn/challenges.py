"""Ceremony challenges: 32 random bytes, kept server-side, used at most once.

The session holds each pending challenge (one per purpose: ``register``,
``authenticate``, ``signup``) with its expiry and what the ceremony needs
later; the first complete request takes it out, success or not. Requests
racing on one session may all read it before any takes it out: the
credential's row, locked by the verification path, remembers the challenges
it accepted last (:attr:`~otp_webauthn.models.WebAuthnDevice.recent_challenges`),
so an assertion is accepted once however many race; a registration or
sign-up is made once by the unique credential id and user name.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import TYPE_CHECKING, Any

from .conf import setting
from .errors import CeremonyError

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["CHALLENGE_BYTES", "SESSION_KEY", "consume", "digest", "issue"]

SESSION_KEY = "otp_webauthn_pending"
CHALLENGE_BYTES = 32


def digest(challenge: bytes) -> str:
    """What a credential's row remembers of a challenge it accepted."""
    return hashlib.sha256(challenge).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def timeout() -> int:
    return int(setting("OTP_WEBAUTHN_CHALLENGE_TIMEOUT"))


def issue(request: HttpRequest, purpose: str, **extra: Any) -> bytes:
    """A new challenge for ``purpose``, replacing this session's pending one."""
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    pending = _pending(request)
    pending[purpose] = {"c": _b64(challenge), "e": time.time() + timeout(), **extra}
    request.session[SESSION_KEY] = pending
    return challenge


def consume(request: HttpRequest, purpose: str) -> dict[str, Any]:
    """Take this session's pending ``purpose`` challenge, once.

    Returns its entry with ``challenge`` (bytes). Raises ``no_challenge`` when
    there is none, ``challenge_expired`` when it is too old; it is gone from
    the session afterwards in every case.
    """
    pending = _pending(request)
    entry = pending.pop(purpose, None)
    request.session[SESSION_KEY] = pending
    try:
        challenge = _unb64(entry["c"]) if isinstance(entry, dict) else None
        expires = float(entry["e"]) if isinstance(entry, dict) else 0.0
    except (KeyError, TypeError, ValueError):
        challenge = None
    if not challenge:
        raise CeremonyError("no_challenge")
    if time.time() > expires:
        raise CeremonyError("challenge_expired")
    return {**entry, "challenge": challenge}


def _pending(request: HttpRequest) -> dict[str, Any]:
    pending = request.session.get(SESSION_KEY)
    return dict(pending) if isinstance(pending, dict) else {}

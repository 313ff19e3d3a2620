"""The authentication backend of passkey sign-in.

Add it to ``AUTHENTICATION_BACKENDS`` (check ``otp_webauthn.E003`` says so
when passkey sign-in is on)::

    AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "otp_webauthn.backends.PasskeyBackend",
    ]

It answers only ``authenticate(request, passkey_assertion=...)``, with the
browser's assertion and the challenge this session issued, and returns the
credential's owner when the assertion is valid (checked through otp-core's
verification path) and the user is active.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend

from .errors import CeremonyError

__all__ = ["PasskeyAssertion", "PasskeyBackend"]


class PasskeyAssertion:
    """An assertion to check, and what the check found (``device`` or ``error``)."""

    def __init__(self, credential: Any, challenge: bytes) -> None:
        self.credential = credential
        self.challenge = challenge
        self.device: Any = None
        self.error: str | None = None

    def __repr__(self) -> str:
        return "<PasskeyAssertion>"


class PasskeyBackend(BaseBackend):
    """Signs in the owner of a passkey whose assertion verifies."""

    def authenticate(
        self, request: Any, passkey_assertion: PasskeyAssertion | None = None, **kwargs: Any
    ) -> Any:
        if not isinstance(passkey_assertion, PasskeyAssertion):
            return None
        from .ceremonies import verify_passkey

        try:
            device = verify_passkey(
                request, passkey_assertion.credential, passkey_assertion.challenge
            )
        except CeremonyError as exc:
            passkey_assertion.error = exc.code
            return None
        passkey_assertion.device = device
        return device.user

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.get(pk=user_id)
        except (model.DoesNotExist, ValueError, TypeError):
            return None
        return user if getattr(user, "is_active", True) else None

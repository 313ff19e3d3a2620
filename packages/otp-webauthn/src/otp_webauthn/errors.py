"""The stable error codes of the JSON ceremonies, with their HTTP status.

Every refusal is a JSON 4xx ``{"error": code, "message": text}``; the codes
are part of the API (documented in ``docs/otp-webauthn.rst``), the messages
are for people and translated.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

__all__ = ["CODES", "PASSKEY_FAILURE", "CeremonyError"]

_BAD = _("The security key's answer was not accepted.")

#: code -> (HTTP status, message).
CODES: dict[str, tuple[int, Any]] = {
    # The request itself.
    "malformed": (400, _("The request could not be read.")),
    "too_large": (413, _("The request is too large.")),
    "login_required": (401, _("Please sign in first.")),
    "verification_required": (
        403,
        _("Please confirm your sign-in with one of your second factors first."),
    ),
    "not_enabled": (404, _("This way of signing in is not enabled on this site.")),
    # The challenge.
    "no_challenge": (400, _("This request has no pending challenge. Please try again.")),
    "challenge_expired": (400, _("The request took too long. Please try again.")),
    # WebAuthn L3 §7.1 / §7.2, one code per check.
    "bad_type": (400, _BAD),
    "bad_challenge": (400, _BAD),
    "bad_origin": (400, _BAD),
    "bad_rp_id": (400, _BAD),
    "user_not_present": (400, _BAD),
    "user_not_verified": (
        400,
        _("Your security key must check your PIN or fingerprint. Please try again."),
    ),
    "bad_flags": (400, _BAD),
    "bad_signature": (400, _BAD),
    "sign_count": (
        400,
        _("This security key may have been copied. It is blocked; please contact support."),
    ),
    "unknown_credential": (400, _("This security key is not registered for your account.")),
    # The shared verification path.
    "throttled": (429, _("Too many failed attempts. Please wait and try again.")),
    "locked": (
        403,
        _("This security key or account is locked. Please ask an administrator to unlock it."),
    ),
    # Registration and sign-up.
    "already_registered": (409, _("This security key is already registered.")),
    "aaguid_not_allowed": (400, _("This model of security key is not allowed on this site.")),
    "attestation_untrusted": (
        400,
        _("This site needs proof of your security key's model, which it did not give."),
    ),
    "bad_name": (400, _("Please give a name of at most 64 characters.")),
    "bad_username": (400, _("Please choose another user name.")),
    # Passkey sign-in: one code for every failure (no account is revealed).
    "authentication_failed": (400, _("Sign-in with a passkey failed. Please try again.")),
}

#: What a passkey sign-in answers for every refusal of the credential.
PASSKEY_FAILURE = "authentication_failed"


class CeremonyError(Exception):
    """A refusal with its stable ``code`` (a key of :data:`CODES`)."""

    def __init__(self, code: str, detail: Any = None) -> None:
        if code not in CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(code)
        self.code = code
        #: Optional form error details (e.g. of a user name), for the JSON answer.
        self.detail = detail

    @property
    def status(self) -> int:
        return CODES[self.code][0]

    @property
    def message(self) -> str:
        return str(CODES[self.code][1])

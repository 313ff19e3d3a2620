"""The matching rule of a WebAuthn credential: WebAuthn L3 §7.2, one refusal per check.

otp-core's verification path hands a device a "token"; for WebAuthn it is an
:class:`AssertionToken`, the browser's JSON together with what the server
expects (the challenge it issued, whether user verification is required).
:func:`check_assertion` runs on the locked device row and records why it
refused on the token, so the ceremony can answer a stable error code.
The signature itself is checked by py_webauthn.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from webauthn import verify_authentication_response
from webauthn.helpers import parse_authenticator_data, parse_client_data_json

from .challenges import digest as challenge_digest
from .conf import origin_allowed, rp_id

if TYPE_CHECKING:
    from .models import WebAuthnDevice

__all__ = ["AssertionToken", "check_assertion"]

# Authenticator data flags (WebAuthn L3 §6.1).
FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_BE = 0x08
FLAG_BS = 0x10


class AssertionToken(str):
    """The assertion JSON (a ``str``) with the server's expectations attached.

    ``refusal`` is set by :func:`check_assertion` to the reason of a refusal:
    an error code of :mod:`otp_webauthn.errors`.
    """

    expected_challenge: bytes
    require_user_verification: bool
    credential: dict[str, Any]
    refusal: str | None
    received_count: int | None

    def __new__(
        cls,
        credential: dict[str, Any],
        *,
        expected_challenge: bytes,
        require_user_verification: bool,
    ) -> AssertionToken:
        token = super().__new__(cls, json.dumps(credential, separators=(",", ":")))
        token.credential = credential
        token.expected_challenge = expected_challenge
        token.require_user_verification = require_user_verification
        token.refusal = None
        token.received_count = None
        return token

    def __repr__(self) -> str:
        return "<AssertionToken>"  # never the signature or the challenge


def _bytes(value: Any) -> bytes:
    """base64url text to bytes; ValueError on anything else."""
    from webauthn.helpers import base64url_to_bytes

    if not isinstance(value, str):
        raise ValueError("not text")
    return base64url_to_bytes(value)


def _refuse(device: WebAuthnDevice, token: AssertionToken, code: str) -> bool:
    """Record why: on the token for the ceremony, on the device for otp-core.

    otp-core passes a device's ``refusal_details`` (no secret in it: a code)
    to the verification result, ``verification_failed`` receivers and logs.
    """
    token.refusal = code
    device.refusal_details = {"webauthn": code}
    return False


def check_assertion(device: WebAuthnDevice, token: AssertionToken) -> bool:
    """Does ``token`` hold a valid assertion of ``device``? Updates its counter if so.

    Called by otp-core's verification path with the device row locked; the
    fields changed are the device's ``verification_fields``.
    """
    credential = token.credential
    response = credential.get("response")
    if not isinstance(response, dict):
        return _refuse(device, token, "malformed")
    try:
        raw_id = _bytes(credential.get("rawId", credential.get("id")))
        client_data_bytes = _bytes(response.get("clientDataJSON"))
        authenticator_data = _bytes(response.get("authenticatorData"))
        _bytes(response.get("signature"))
    except (ValueError, TypeError):
        return _refuse(device, token, "malformed")
    if not hmac.compare_digest(raw_id, bytes(device.credential_id)):
        return _refuse(device, token, "unknown_credential")
    if credential.get("type") != "public-key":
        return _refuse(device, token, "bad_type")
    try:
        client_data = parse_client_data_json(client_data_bytes)
        auth_data = parse_authenticator_data(authenticator_data)
    except Exception:
        return _refuse(device, token, "malformed")
    if client_data.type != "webauthn.get":
        return _refuse(device, token, "bad_type")
    if not hmac.compare_digest(client_data.challenge, token.expected_challenge):
        return _refuse(device, token, "bad_challenge")
    # Requests racing on one session all read its challenge: the first
    # acceptance, recorded on this locked row, is the only one.
    used = challenge_digest(token.expected_challenge)
    recent = device.recent_challenges if isinstance(device.recent_challenges, list) else []
    if used in recent:
        return _refuse(device, token, "no_challenge")
    if client_data.cross_origin or not origin_allowed(client_data.origin):
        return _refuse(device, token, "bad_origin")
    expected_hash = hashlib.sha256(rp_id().encode()).digest()
    if not hmac.compare_digest(auth_data.rp_id_hash, expected_hash):
        return _refuse(device, token, "bad_rp_id")
    flags = authenticator_data[32]
    if not flags & FLAG_UP:
        return _refuse(device, token, "user_not_present")
    if token.require_user_verification and not flags & FLAG_UV:
        return _refuse(device, token, "user_not_verified")
    # Backup eligibility is fixed when a credential is made (L3 §7.2 step 18).
    if bool(flags & FLAG_BE) != device.backup_eligible or (flags & FLAG_BS and not flags & FLAG_BE):
        return _refuse(device, token, "bad_flags")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=token.expected_challenge,
            expected_rp_id=rp_id(),
            expected_origin=client_data.origin,
            credential_public_key=bytes(device.public_key),
            # The counter is compared below, after the signature: only a
            # genuine assertion may flag a credential as cloned.
            credential_current_sign_count=0,
            require_user_verification=token.require_user_verification,
        )
    except Exception:
        return _refuse(device, token, "bad_signature")
    new_count, stored = verified.new_sign_count, device.sign_count
    if (new_count > 0 or stored > 0) and new_count <= stored:
        token.received_count = new_count
        return _refuse(device, token, "sign_count")
    device.sign_count = new_count
    device.recent_challenges = [*recent, used][-device.RECENT_CHALLENGES :]
    device.backed_up = verified.credential_backed_up
    device.user_verified = verified.user_verified
    return True

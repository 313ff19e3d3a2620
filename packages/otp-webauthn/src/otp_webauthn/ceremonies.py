"""The WebAuthn ceremonies as Python functions; the JSON views and a UI call these.

Registration (a signed-in user adds a key), authentication as a second factor
(a signed-in user proves a key), passkey sign-in (an anonymous visitor signs
in with a discoverable credential) and passkey sign-up (a new account and its
first passkey in one transaction). Every refusal is a :class:`CeremonyError`
with a stable code; assertions go through otp-core's one verification path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_registration_response,
)
from webauthn.helpers import parse_attestation_object, parse_client_data_json
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from otp_core import signals as core_signals
from otp_core.auth import user_has_device
from otp_core.models import Challenge
from otp_core.verification import VerificationResult, verify

from . import challenges
from .assertion import FLAG_UP, FLAG_UV, AssertionToken
from .conf import origin_allowed, rp_id, rp_name, setting
from .errors import PASSKEY_FAILURE, CeremonyError
from .models import WebAuthnDevice, WebAuthnUserHandle, credential_digest
from .signals import clone_suspected

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "authentication_challenge",
    "authentication_options",
    "complete_passkey",
    "complete_registration",
    "complete_second_factor",
    "complete_signup",
    "registration_options",
    "signup_options",
]

logger = logging.getLogger("otp_core")

_TRANSPORTS = {t.value for t in AuthenticatorTransport}
_BACKEND = "otp_webauthn.backends.PasskeyBackend"


# -- small parsers ---------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(value: Any) -> bytes:
    if not isinstance(value, str) or len(value) > 8192:
        raise CeremonyError("malformed")
    try:
        return base64.urlsafe_b64decode(value.encode("ascii") + b"=" * (-len(value) % 4))
    except (ValueError, UnicodeError) as exc:
        raise CeremonyError("malformed") from exc


def _credential_id(credential: dict[str, Any]) -> bytes:
    raw = _unb64(credential.get("rawId", credential.get("id")))
    if not raw or len(raw) > 1023 or credential.get("id") != _b64(raw):
        raise CeremonyError("malformed")
    return raw


def _json_options(options: Any) -> dict[str, Any]:
    return json.loads(options_to_json(options))


def _uv_setting() -> str:
    value = setting("OTP_WEBAUTHN_USER_VERIFICATION")
    return value if value in ("discouraged", "preferred", "required") else "preferred"


def _client_data(response: dict[str, Any], expected_type: str, challenge: bytes) -> Any:
    """clientDataJSON checked for type, challenge and origin (L3 §7.1 steps 7-9)."""
    try:
        data = parse_client_data_json(_unb64(response.get("clientDataJSON")))
    except CeremonyError:
        raise
    except Exception as exc:
        raise CeremonyError("malformed") from exc
    if data.type != expected_type:
        raise CeremonyError("bad_type")
    if not hmac.compare_digest(data.challenge, challenge):
        raise CeremonyError("bad_challenge")
    if data.cross_origin or not origin_allowed(data.origin):
        raise CeremonyError("bad_origin")
    return data


# -- who may register --------------------------------------------------------------


def _require_may_register(request: HttpRequest, user: Any) -> None:
    """Signed in, and verified when the account already has a second factor.

    The same rule as two-factor-ui's setup wizard: adding a factor to an
    account that has one needs that one first.
    """
    if user is None or not user.is_authenticated:
        raise CeremonyError("login_required")
    is_verified = getattr(request.user, "is_verified", None)
    if user_has_device(user) and not (callable(is_verified) and is_verified()):
        raise CeremonyError("verification_required")


def _clean_name(value: Any, default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise CeremonyError("bad_name")
    name = value.strip()
    try:
        name.encode("utf-8")
    except UnicodeError as exc:
        raise CeremonyError("bad_name") from exc
    if not name or len(name) > 64 or "\x00" in name:
        raise CeremonyError("bad_name")
    return name


def _descriptor(device: WebAuthnDevice) -> PublicKeyCredentialDescriptor:
    transports = [
        AuthenticatorTransport(t)
        for t in (device.transports or [])
        if isinstance(t, str) and t in _TRANSPORTS
    ]
    return PublicKeyCredentialDescriptor(id=bytes(device.credential_id), transports=transports)


# -- registration ----------------------------------------------------------------------


def _creation_options(
    request: HttpRequest,
    purpose: str,
    *,
    user_name: str,
    display_name: str,
    handle: bytes,
    exclude: list[WebAuthnDevice],
    resident_key: ResidentKeyRequirement,
    user_verification: str,
    **extra: Any,
) -> dict[str, Any]:
    challenge = challenges.issue(request, purpose, **extra)
    attestation = (
        AttestationConveyancePreference.DIRECT
        if setting("OTP_WEBAUTHN_ATTESTATION") == "direct"
        else AttestationConveyancePreference.NONE
    )
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=rp_name(),
        user_name=user_name,
        user_id=handle,
        user_display_name=display_name,
        challenge=challenge,
        timeout=challenges.timeout() * 1000,
        attestation=attestation,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=resident_key,
            user_verification=UserVerificationRequirement(user_verification),
        ),
        exclude_credentials=[_descriptor(d) for d in exclude],
    )
    result = _json_options(options)
    # Ask the browser whether the credential is discoverable (a passkey).
    result["extensions"] = {"credProps": True}
    return result


def registration_options(request: HttpRequest, user: Any) -> dict[str, Any]:
    """``PublicKeyCredentialCreationOptions`` (JSON) for ``user`` to add a key."""
    _require_may_register(request, user)
    passwordless = bool(setting("OTP_WEBAUTHN_PASSWORDLESS"))
    return _creation_options(
        request,
        "register",
        user_name=user.get_username() or str(user.pk),
        display_name=(
            getattr(user, "get_full_name", lambda: "")() or user.get_username() or str(user.pk)
        ),
        handle=WebAuthnUserHandle.for_user(user),
        exclude=list(WebAuthnDevice.objects.filter(user=user)),
        resident_key=(
            ResidentKeyRequirement.PREFERRED if passwordless else ResidentKeyRequirement.DISCOURAGED
        ),
        user_verification=_uv_setting(),
        user=str(user.pk),
    )


def _verify_registration(
    entry: dict[str, Any], credential: Any, *, require_user_verification: bool
) -> tuple[Any, dict[str, Any]]:
    """Check the browser's ``create()`` answer; returns py_webauthn's result."""
    if not isinstance(credential, dict) or not isinstance(credential.get("response"), dict):
        raise CeremonyError("malformed")
    response = credential["response"]
    _credential_id(credential)
    if credential.get("type") != "public-key":
        raise CeremonyError("bad_type")
    client_data = _client_data(response, "webauthn.create", entry["challenge"])
    try:
        attestation = parse_attestation_object(_unb64(response.get("attestationObject")))
        auth_data = attestation.auth_data
        flags = int(auth_data.flags.up) * FLAG_UP | int(auth_data.flags.uv) * FLAG_UV
    except CeremonyError:
        raise
    except Exception as exc:
        raise CeremonyError("malformed") from exc
    if not hmac.compare_digest(auth_data.rp_id_hash, hashlib.sha256(rp_id().encode()).digest()):
        raise CeremonyError("bad_rp_id")
    if not flags & FLAG_UP:
        raise CeremonyError("user_not_present")
    if require_user_verification and not flags & FLAG_UV:
        raise CeremonyError("user_not_verified")
    if auth_data.flags.bs and not auth_data.flags.be:
        raise CeremonyError("bad_flags")
    try:
        verified = verify_registration_response(
            credential={k: v for k, v in credential.items() if k not in ("name", "next")},
            expected_challenge=entry["challenge"],
            expected_rp_id=rp_id(),
            expected_origin=client_data.origin,
            require_user_verification=require_user_verification,
            pem_root_certs_bytes_by_fmt=setting("OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT"),
        )
    except Exception as exc:
        raise CeremonyError("bad_signature") from exc
    allowed = setting("OTP_WEBAUTHN_ALLOWED_AAGUIDS")
    if allowed is not None:
        # An AAGUID means something only when a certificate chain vouches for
        # it: "none" attestation gives all zeros, self attestation any value.
        x5c = getattr(attestation.att_stmt, "x5c", None)
        roots = (setting("OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT") or {}).get(verified.fmt)
        if verified.fmt == "none" or not x5c or not roots:
            raise CeremonyError("attestation_untrusted")
        if not _certificate_names_aaguid(x5c[0], attestation.auth_data):
            raise CeremonyError("attestation_untrusted")
        if verified.aaguid.lower() not in {str(a).lower() for a in allowed}:
            raise CeremonyError("aaguid_not_allowed")
    extras = credential.get("clientExtensionResults")
    props = extras.get("credProps") if isinstance(extras, dict) else None
    rk = props.get("rk") if isinstance(props, dict) else None
    transports = response.get("transports")
    info = {
        "discoverable": rk if isinstance(rk, bool) else None,
        "transports": sorted(
            {t for t in transports if isinstance(t, str) and t in _TRANSPORTS}
            if isinstance(transports, list)
            else set()
        ),
    }
    return verified, info


#: id-fido-gen-ce-aaguid: the authenticator model an attestation certificate is for.
_AAGUID_EXTENSION = "1.3.6.1.4.1.45724.1.1.4"


def _certificate_names_aaguid(certificate: bytes, auth_data: Any) -> bool:
    """False when the attestation certificate names another model than authData does."""
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(certificate)
        extension = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(_AAGUID_EXTENSION))
    except x509.ExtensionNotFound:
        return True
    except ValueError:
        return False
    value = getattr(extension.value, "value", b"")  # DER: OCTET STRING (0x04, 16), 16 bytes
    aaguid = auth_data.attested_credential_data.aaguid
    return hmac.compare_digest(value, b"\x04\x10" + aaguid)


def _new_device(user: Any, name: str, verified: Any, info: dict[str, Any]) -> WebAuthnDevice:
    device = WebAuthnDevice(
        user=user,
        name=name,
        confirmed=True,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        aaguid=verified.aaguid,
        transports=info["transports"],
        backup_eligible=verified.credential_device_type == "multi_device",
        backed_up=verified.credential_backed_up,
        user_verified=verified.user_verified,
        discoverable=info["discoverable"],
        attestation_format=str(getattr(verified.fmt, "value", verified.fmt)),
    )
    device.save()
    return device


def complete_registration(request: HttpRequest, user: Any, body: Any) -> WebAuthnDevice:
    """Check the browser's ``create()`` answer and save the new, confirmed key.

    ``body`` is ``PublicKeyCredential.toJSON()``, with an optional top-level
    ``"name"``. Sends ``otp_core.signals.device_added``.
    """
    entry = challenges.consume(request, "register")
    _require_may_register(request, user)
    if entry.get("user") != str(user.pk):
        raise CeremonyError("no_challenge")
    name = _clean_name(body.get("name") if isinstance(body, dict) else None, str(_("Security key")))
    verified, info = _verify_registration(
        entry, body, require_user_verification=_uv_setting() == "required"
    )
    if WebAuthnDevice.objects.filter(
        credential_id_digest=credential_digest(verified.credential_id)
    ).exists():
        raise CeremonyError("already_registered")
    try:
        with transaction.atomic():
            device = _new_device(user, name, verified, info)
    except IntegrityError as exc:
        raise CeremonyError("already_registered") from exc
    core_signals.device_added.send(WebAuthnDevice, device=device, request=request)
    return device


# -- authentication -----------------------------------------------------------------


def _request_options(
    request: HttpRequest, devices: list[WebAuthnDevice], user_verification: str, **extra: Any
) -> dict[str, Any]:
    challenge = challenges.issue(request, "authenticate", **extra)
    options = generate_authentication_options(
        rp_id=rp_id(),
        challenge=challenge,
        timeout=challenges.timeout() * 1000,
        allow_credentials=[_descriptor(d) for d in devices],
        user_verification=UserVerificationRequirement(user_verification),
    )
    return _json_options(options)


def authentication_options(request: HttpRequest) -> dict[str, Any]:
    """``PublicKeyCredentialRequestOptions`` (JSON) for this request.

    A signed-in user gets their keys in ``allowCredentials`` (a second
    factor, or a step-up); an anonymous visitor gets a passkey request: no
    ``allowCredentials``, user verification required.
    """
    user = request.user
    if user.is_authenticated:
        devices = list(WebAuthnDevice.objects.devices_for_user(user))
        if not devices:
            raise CeremonyError("unknown_credential")
        return _request_options(request, devices, _uv_setting(), mode="2fa", user=str(user.pk))
    if not setting("OTP_WEBAUTHN_PASSWORDLESS"):
        raise CeremonyError("not_enabled")
    return _request_options(request, [], "required", mode="passkey")


def authentication_challenge(
    request: HttpRequest | None, user: Any, devices: list[WebAuthnDevice]
) -> Challenge:
    """The device protocol's challenge: options for ``devices`` of ``user``, as data."""
    if request is None:
        raise ValueError("A WebAuthn challenge is kept in the request's session.")
    options = _request_options(request, devices, _uv_setting(), mode="2fa", user=str(user.pk))
    return Challenge(data=options)


def _body_credential(body: Any) -> tuple[dict[str, Any], bytes]:
    if not isinstance(body, dict) or not isinstance(body.get("response"), dict):
        raise CeremonyError("malformed")
    return body, _credential_id(body)


def _code_of(result: VerificationResult, token: AssertionToken) -> str:
    if result.reason == "mismatch":
        return token.refusal or "bad_signature"
    if result.reason == "N_FAILED_ATTEMPTS":
        return "throttled"
    return "locked"


def _check(request: HttpRequest, device: WebAuthnDevice, token: AssertionToken) -> None:
    """Through otp-core's verification path; a counter going back flags the key."""
    result = verify(device, token, request=request)
    if result.accepted:
        return
    if token.refusal == "sign_count":
        logger.warning(
            "WebAuthn credential %s: its signature counter did not go up; "
            "flagged as possibly cloned",
            device.persistent_id,
        )
        WebAuthnDevice.objects.filter(pk=device.pk).update(clone_suspected=True)
        device.clone_suspected = True
        clone_suspected.send(
            WebAuthnDevice,
            device=device,
            request=request,
            stored_count=device.sign_count,
            received_count=getattr(token, "received_count", None),
        )
    raise CeremonyError(_code_of(result, token))


def _user_handle(credential: dict[str, Any]) -> bytes | None:
    value = credential["response"].get("userHandle")
    if value is None or value == "":
        return None
    return _unb64(value)


def legacy_two_factor_handle(user: Any) -> bytes:
    """The user handle django-two-factor-auth gave ``user``'s keys: SHA-1 of the pk, in hex.

    Keys imported from it (:mod:`otp_webauthn.importer`) that made a
    discoverable credential send it back; it names this same user.
    """
    return hashlib.sha1(str(user.pk).encode(), usedforsecurity=False).hexdigest().encode()


def _is_users_handle(handle: bytes, user: Any) -> bool:
    """Is ``handle`` ``user``'s (L3 §7.2 step 6): ours, or django-two-factor-auth's for them."""
    ours = hmac.compare_digest(handle, WebAuthnUserHandle.for_user(user))
    return ours | hmac.compare_digest(handle, legacy_two_factor_handle(user))


def complete_second_factor(
    request: HttpRequest, user: Any, body: Any, *, device: WebAuthnDevice | None = None
) -> WebAuthnDevice:
    """Verify a signed-in ``user``'s assertion; returns the key that made it.

    With ``device``, only that key's assertion counts. The caller records
    the verification (``otp_core.login``) where it wants to.
    """
    entry = challenges.consume(request, "authenticate")
    if entry.get("mode") != "2fa" or entry.get("user") != str(getattr(user, "pk", None)):
        raise CeremonyError("no_challenge")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise CeremonyError("malformed") from exc
    credential, raw_id = _body_credential(body)
    found = (
        WebAuthnDevice.objects.devices_for_user(user)
        .filter(credential_id_digest=credential_digest(raw_id))
        .first()
    )
    if found is None or (device is not None and found.pk != device.pk):
        raise CeremonyError("unknown_credential")
    handle = _user_handle(credential)
    if handle is not None and not _is_users_handle(handle, user):
        raise CeremonyError("unknown_credential")
    token = AssertionToken(
        credential,
        expected_challenge=entry["challenge"],
        require_user_verification=_uv_setting() == "required",
    )
    _check(request, found, token)
    if device is not None:
        for name in (*WebAuthnDevice.verification_fields, "last_used_at"):
            setattr(device, name, getattr(found, name))
    return found


def verify_passkey(request: HttpRequest | None, credential: Any, challenge: bytes) -> Any:
    """The device of a valid passkey assertion, or a ``CeremonyError``.

    Every refusal of the credential is ``authentication_failed``: an unknown
    credential, another user's handle, an inactive user and a bad signature
    look the same, and the unknown cases check a signature too.
    """
    credential, raw_id = _body_credential(credential)
    device = (
        WebAuthnDevice.objects.select_related("user")
        .filter(credential_id_digest=credential_digest(raw_id), confirmed=True)
        .first()
    )
    handle = _user_handle(credential)
    # Asked for an unknown credential too (it finds nothing): the same queries.
    owner_handle = (
        WebAuthnUserHandle.objects.filter(user_id=device.user_id if device else None)
        .values_list("handle", flat=True)
        .first()
    )
    if (
        device is None
        or handle is None
        or owner_handle is None
        or not hmac.compare_digest(handle, bytes(owner_handle))
        or not device.user.is_active
    ):
        _decoy_check(credential, challenge, credential_digest(raw_id))
        raise CeremonyError(PASSKEY_FAILURE)
    token = AssertionToken(credential, expected_challenge=challenge, require_user_verification=True)
    try:
        _check(request, device, token)  # type: ignore[arg-type]
    except CeremonyError as exc:
        raise CeremonyError(PASSKEY_FAILURE) from exc
    return device


def complete_passkey(request: HttpRequest, body: Any) -> tuple[Any, WebAuthnDevice]:
    """Sign an anonymous visitor in with a passkey; returns the user and the key.

    Through :class:`~otp_webauthn.backends.PasskeyBackend`: Django's
    ``login()`` (a new session key), then ``otp_core.login(..., passwordless=True)``
    so ``otp_required`` passes and a policy can tell a passkey sign-in from
    password + key.
    """
    from django.contrib import auth

    import otp_core

    from .backends import PasskeyAssertion

    entry = challenges.consume(request, "authenticate")
    if entry.get("mode") != "passkey" or not setting("OTP_WEBAUTHN_PASSWORDLESS"):
        raise CeremonyError("no_challenge")
    assertion = PasskeyAssertion(body, entry["challenge"])
    user = auth.authenticate(request, passkey_assertion=assertion)
    if user is None or assertion.device is None:
        raise CeremonyError(assertion.error or PASSKEY_FAILURE)
    auth.login(request, user, backend=_BACKEND)
    otp_core.login(request, assertion.device, passwordless=True)
    return user, assertion.device


# A fixed P-256 key that signed nothing: unknown credentials are checked against
# it, so they cost about what a known credential with a bad signature costs.
_DECOY_KEY = bytes.fromhex(
    "a5010203262001215820"
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "225820"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
)


def _decoy_check(credential: dict[str, Any], challenge: bytes, digest: str) -> None:
    """Do what a known credential's refusal does, on a decoy key and no row.

    The signature check down to the end, and a transaction of the verification
    path's shape (row lock, failure count) that matches no row.
    """
    from django.db.models import F
    from webauthn import verify_authentication_response

    from otp_core.models import AccountThrottle

    with transaction.atomic():
        rows = WebAuthnDevice.objects.filter(credential_id_digest=digest, pk__lt=0)
        rows.update(throttling_failure_count=F("throttling_failure_count") + 1)
        list(rows.select_for_update())
        accounts = AccountThrottle.objects.filter(pk__lt=0)
        list(accounts.select_for_update())
        accounts.update(failure_count=F("failure_count") + 1)

    try:
        client_data = parse_client_data_json(_unb64(credential["response"].get("clientDataJSON")))
        verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=client_data.origin,
            credential_public_key=_DECOY_KEY,
            credential_current_sign_count=0,
        )
    except Exception:  # always: it is a decoy
        return


# -- sign-up --------------------------------------------------------------------------


def _clean_username(value: Any) -> str:
    model = get_user_model()
    field = model._meta.get_field(model.USERNAME_FIELD)
    if not isinstance(value, str):
        raise CeremonyError("bad_username")
    username = value.strip()
    try:
        username.encode("utf-8")
        if "\x00" in username or not username:
            raise ValidationError("empty")
        username = field.clean(model.normalize_username(username), None)
    except (ValidationError, UnicodeError) as exc:
        detail = list(exc.messages) if isinstance(exc, ValidationError) else None
        raise CeremonyError("bad_username", detail) from exc
    lookup = {f"{model.USERNAME_FIELD}__iexact": username}
    if model._default_manager.filter(**lookup).exists():
        raise CeremonyError("bad_username")
    return username


def _require_signup() -> None:
    if not (setting("OTP_WEBAUTHN_SIGNUP") and setting("OTP_WEBAUTHN_PASSWORDLESS")):
        raise CeremonyError("not_enabled")


def signup_options(request: HttpRequest, body: Any) -> dict[str, Any]:
    """Creation options for a new account named by ``body["username"]``.

    No user row is made here: the account exists only once
    :func:`complete_signup` has verified its first passkey.
    """
    _require_signup()
    if request.user.is_authenticated:
        raise CeremonyError("not_enabled")
    username = _clean_username(body.get("username") if isinstance(body, dict) else None)
    handle = WebAuthnUserHandle._meta.get_field("handle").get_default()
    return _creation_options(
        request,
        "signup",
        user_name=username,
        display_name=username,
        handle=handle,
        exclude=[],
        resident_key=ResidentKeyRequirement.REQUIRED,
        user_verification="required",
        username=username,
        user_handle=_b64(handle),
    )


def complete_signup(request: HttpRequest, body: Any) -> tuple[Any, WebAuthnDevice]:
    """Create the account (no usable password) and its first passkey, then sign in."""
    from django.contrib import auth

    import otp_core

    entry = challenges.consume(request, "signup")
    _require_signup()
    verified, info = _verify_registration(entry, body, require_user_verification=True)
    name = _clean_name(body.get("name"), str(_("Passkey")))
    model = get_user_model()
    username = _clean_username(entry.get("username"))
    try:
        with transaction.atomic():
            user = model(**{model.USERNAME_FIELD: username})
            user.set_unusable_password()
            user.save()
            WebAuthnUserHandle(user=user, handle=_unb64(entry.get("user_handle"))).save()
            if WebAuthnDevice.objects.filter(
                credential_id_digest=credential_digest(verified.credential_id)
            ).exists():
                raise CeremonyError("already_registered")
            device = _new_device(user, name, verified, info)
    except IntegrityError as exc:
        raise CeremonyError("bad_username") from exc
    core_signals.device_added.send(WebAuthnDevice, device=device, request=request)
    auth.login(request, user, backend=_BACKEND)
    otp_core.login(request, device, passwordless=True)
    return user, device

"""System checks of otp-webauthn: a wrong setting fails at start-up."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from otp_core.checks import number_error

from .conf import setting

BACKEND_PATH = "otp_webauthn.backends.PasskeyBackend"
_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def _origin_error(origin: Any) -> str | None:
    if not isinstance(origin, str):
        return f"{origin!r} is not a string"
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return f"{origin!r} is not an origin"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{origin!r} is not an http(s) origin"
    if parts.path or parts.query or parts.fragment or parts.username:
        return f"{origin!r} has more than scheme, host and port"
    return None


@register(Tags.security)
def check_relying_party(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """The RP id and the allowed origins: set, well formed, and agreeing."""
    errors: list[Any] = []
    rp = setting("OTP_WEBAUTHN_RP_ID")
    rp_ok = isinstance(rp, str) and bool(_HOST.match(rp))
    if rp is None:
        if not settings.DEBUG:
            errors.append(
                Error(
                    "OTP_WEBAUTHN_RP_ID is not set.",
                    hint='Set it to your site\'s domain, e.g. "example.com".',
                    id="otp_webauthn.E001",
                )
            )
    elif not rp_ok:
        errors.append(
            Error(
                f"OTP_WEBAUTHN_RP_ID must be a domain name without scheme or port, not {rp!r}.",
                id="otp_webauthn.E001",
            )
        )
    origins = setting("OTP_WEBAUTHN_ALLOWED_ORIGINS")
    if origins is None:
        if not settings.DEBUG:
            errors.append(
                Error(
                    "OTP_WEBAUTHN_ALLOWED_ORIGINS is not set while DEBUG is False.",
                    hint='List the exact origins of your site, e.g. ["https://example.com"].',
                    id="otp_webauthn.E002",
                )
            )
        return errors
    listed = [origins] if isinstance(origins, str) else origins
    if not isinstance(listed, (list, tuple)) or not listed:
        return [
            *errors,
            Error(
                "OTP_WEBAUTHN_ALLOWED_ORIGINS must be a list of origins.", id="otp_webauthn.E002"
            ),
        ]
    for origin in listed:
        problem = _origin_error(origin)
        if problem:
            errors.append(
                Error(f"OTP_WEBAUTHN_ALLOWED_ORIGINS: {problem}.", id="otp_webauthn.E002")
            )
            continue
        host = urlsplit(origin).hostname or ""
        if rp_ok and not (host == rp or host.endswith("." + rp)):
            errors.append(
                Error(
                    f"The origin {origin!r} is not on the RP id {rp!r} or one of its subdomains.",
                    id="otp_webauthn.E002",
                )
            )
        elif origin.startswith("http://") and host != "localhost" and not settings.DEBUG:
            errors.append(
                Warning(
                    f"The WebAuthn origin {origin!r} is plain HTTP.",
                    hint="Browsers allow WebAuthn only on HTTPS (and on localhost).",
                    id="otp_webauthn.W001",
                )
            )
    return errors


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    errors: list[Any] = []
    name = setting("OTP_WEBAUTHN_RP_NAME")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        errors.append(
            Error(
                "OTP_WEBAUTHN_RP_NAME must be a non-empty string or None.", id="otp_webauthn.E004"
            )
        )
    for flag in ("OTP_WEBAUTHN_PASSWORDLESS", "OTP_WEBAUTHN_SIGNUP"):
        if not isinstance(setting(flag), bool):
            errors.append(Error(f"{flag} must be True or False.", id="otp_webauthn.E005"))
    uv = setting("OTP_WEBAUTHN_USER_VERIFICATION")
    if uv not in ("discouraged", "preferred", "required"):
        errors.append(
            Error(
                'OTP_WEBAUTHN_USER_VERIFICATION must be "discouraged", "preferred" or '
                f'"required", not {uv!r}.',
                id="otp_webauthn.E006",
            )
        )
    attestation = setting("OTP_WEBAUTHN_ATTESTATION")
    if attestation not in ("none", "direct"):
        errors.append(
            Error(
                f'OTP_WEBAUTHN_ATTESTATION must be "none" or "direct", not {attestation!r}.',
                id="otp_webauthn.E007",
            )
        )
    aaguids = setting("OTP_WEBAUTHN_ALLOWED_AAGUIDS")
    if aaguids is not None:
        bad = not isinstance(aaguids, (list, tuple)) or not aaguids
        for value in aaguids if not bad else []:
            try:
                uuid.UUID(str(value))
            except ValueError:
                bad = True
        if bad:
            errors.append(
                Error(
                    "OTP_WEBAUTHN_ALLOWED_AAGUIDS must be None or a non-empty list of AAGUIDs "
                    '("cb69481e-8ff7-4039-93ec-0a2729a154a8").',
                    id="otp_webauthn.E008",
                )
            )
        elif attestation != "direct":
            errors.append(
                Error(
                    'OTP_WEBAUTHN_ALLOWED_AAGUIDS needs OTP_WEBAUTHN_ATTESTATION = "direct": '
                    'with "none" every authenticator reports an all-zero AAGUID.',
                    id="otp_webauthn.E008",
                )
            )
        elif not setting("OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT"):
            errors.append(
                Warning(
                    "OTP_WEBAUTHN_ALLOWED_AAGUIDS is set but no root certificates are: "
                    "attestation chains are not checked, so an authenticator can claim "
                    "any AAGUID.",
                    hint="Set OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT to your vendors' roots.",
                    id="otp_webauthn.W002",
                )
            )
    for name, minimum in (
        ("OTP_WEBAUTHN_CHALLENGE_TIMEOUT", 10),
        ("OTP_WEBAUTHN_MAX_BODY_SIZE", 1024),
    ):
        error = number_error(
            name, setting(name), "otp_webauthn.E009", integer=True, minimum=minimum
        )
        if error:
            errors.append(error)
    error = number_error(
        "OTP_WEBAUTHN_THROTTLE_FACTOR", setting("OTP_WEBAUTHN_THROTTLE_FACTOR"), "otp_webauthn.E009"
    )
    if error:
        errors.append(error)
    return errors


@register(Tags.security)
def check_backend(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Passkey sign-in (or sign-up) needs PasskeyBackend in AUTHENTICATION_BACKENDS."""
    wanted = setting("OTP_WEBAUTHN_PASSWORDLESS") is True or setting("OTP_WEBAUTHN_SIGNUP") is True
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", []) or [])
    if wanted and BACKEND_PATH not in backends:
        return [
            Error(
                f"Passkey sign-in is on (OTP_WEBAUTHN_PASSWORDLESS) but {BACKEND_PATH} is not "
                "in AUTHENTICATION_BACKENDS.",
                hint="Add it, or set OTP_WEBAUTHN_PASSWORDLESS = False.",
                id="otp_webauthn.E003",
            )
        ]
    if setting("OTP_WEBAUTHN_SIGNUP") is True and setting("OTP_WEBAUTHN_PASSWORDLESS") is not True:
        return [
            Error(
                "OTP_WEBAUTHN_SIGNUP needs OTP_WEBAUTHN_PASSWORDLESS: accounts made by passkey "
                "sign-up have no password.",
                id="otp_webauthn.E010",
            )
        ]
    return []


@register(Tags.security)
def check_session_engine(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Signed-cookie sessions keep pending challenges on the client."""
    engine = getattr(settings, "SESSION_ENGINE", "")
    if engine == "django.contrib.sessions.backends.signed_cookies":
        return [
            Warning(
                "Sessions are signed cookies: a client can send an old cookie again, so a "
                "WebAuthn challenge is not removed once used.",
                hint="Accepted assertions are still refused a second time (the credential "
                "remembers its last challenges), but use a server-side session engine.",
                id="otp_webauthn.W003",
            )
        ]
    return []


@register(Tags.urls)
def check_urls_included(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """The ceremonies' URLs: without them no page (set-up, sign-in step) can use a key."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("otp_webauthn:register-begin")
    except NoReverseMatch:
        return [
            Warning(
                "otp_webauthn is installed but its URLs are not included: security keys "
                "cannot be registered or used.",
                hint='Add path("webauthn/", include("otp_webauthn.urls")) to your URLconf.',
                id="otp_webauthn.W050",
            )
        ]
    return []

"""Settings of otp-webauthn with their defaults, read at access time.

django-two-factor-auth's ``TWO_FACTOR_WEBAUTHN_*`` names are read when ours
are not set and the meaning is the same (:data:`FALLBACKS`). The relying
party's id and origins come from settings only, never from the request's
``Host`` header.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from otp_core.conf import AppSettings

__all__ = [
    "DEFAULTS",
    "FALLBACKS",
    "allowed_origins",
    "origin_allowed",
    "rp_id",
    "rp_name",
    "setting",
    "webauthn_settings",
]

DEFAULTS: dict[str, Any] = {
    # The relying party id: the site's registrable domain ("example.com"), which
    # credentials are bound to. None: "localhost" while DEBUG is on, otherwise
    # an error (check otp_webauthn.E001).
    "OTP_WEBAUTHN_RP_ID": None,
    # The site's name shown by the browser and authenticator. None: the RP id.
    "OTP_WEBAUTHN_RP_NAME": None,
    # The exact origins ("https://example.com") ceremonies may come from. None:
    # while DEBUG is on, http(s)://<RP id> on any port; otherwise an error
    # (check otp_webauthn.E002).
    "OTP_WEBAUTHN_ALLOWED_ORIGINS": None,
    # Passkey sign-in: an anonymous visitor signs in with a passkey alone
    # (user verification always required). Needs PasskeyBackend.
    "OTP_WEBAUTHN_PASSWORDLESS": True,
    # User verification asked for when a key is a second factor and when it
    # is registered: "discouraged", "preferred" or "required".
    "OTP_WEBAUTHN_USER_VERIFICATION": "preferred",
    # Attestation conveyance at registration: "none" or "direct".
    "OTP_WEBAUTHN_ATTESTATION": "none",
    # None: any authenticator may register. A list of AAGUIDs: only those
    # models, proved by a certificate chain (needs "direct" attestation).
    "OTP_WEBAUTHN_ALLOWED_AAGUIDS": None,
    # Root certificates (PEM bytes) per attestation format, for "direct"
    # attestation, e.g. {"packed": [yubico_root_pem]}.
    "OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT": None,
    # Passkey sign-up: a visitor creates an account with a passkey alone.
    "OTP_WEBAUTHN_SIGNUP": False,
    # Seconds a ceremony's challenge stays valid (also the browser's timeout).
    "OTP_WEBAUTHN_CHALLENGE_TIMEOUT": 300,
    # Largest request body the ceremonies read, in bytes.
    "OTP_WEBAUTHN_MAX_BODY_SIZE": 64 * 1024,
    # Seconds of delay after the first failure, doubling with each failure.
    "OTP_WEBAUTHN_THROTTLE_FACTOR": 1,
}

#: Our name -> django-two-factor-auth's, read when ours is not set.
FALLBACKS: dict[str, str] = {
    "OTP_WEBAUTHN_RP_ID": "TWO_FACTOR_WEBAUTHN_RP_ID",
    "OTP_WEBAUTHN_RP_NAME": "TWO_FACTOR_WEBAUTHN_RP_NAME",
    "OTP_WEBAUTHN_USER_VERIFICATION": "TWO_FACTOR_WEBAUTHN_UV_REQUIREMENT",
    "OTP_WEBAUTHN_ATTESTATION": "TWO_FACTOR_WEBAUTHN_ATTESTATION_CONVEYANCE",
    "OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT": "TWO_FACTOR_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT",
    "OTP_WEBAUTHN_THROTTLE_FACTOR": "TWO_FACTOR_WEBAUTHN_THROTTLE_FACTOR",
}

webauthn_settings = AppSettings(DEFAULTS)

_UNSET = object()


def setting(name: str) -> Any:
    """``name``'s value: ours, else django-two-factor-auth's, else the default."""
    value = getattr(settings, name, _UNSET)
    if value is _UNSET and name in FALLBACKS:
        value = getattr(settings, FALLBACKS[name], _UNSET)
    return DEFAULTS[name] if value is _UNSET else value


def rp_id() -> str:
    """The relying party id: the setting, or ``localhost`` while DEBUG is on."""
    value = setting("OTP_WEBAUTHN_RP_ID")
    if value:
        return str(value)
    if settings.DEBUG:
        return "localhost"
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("OTP_WEBAUTHN_RP_ID is not set (check otp_webauthn.E001).")


def rp_name() -> str:
    return str(setting("OTP_WEBAUTHN_RP_NAME") or rp_id())


def allowed_origins() -> list[str] | None:
    """The configured origins, or None for DEBUG's any-port rule."""
    value = setting("OTP_WEBAUTHN_ALLOWED_ORIGINS")
    if value is None:
        if settings.DEBUG:
            return None
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "OTP_WEBAUTHN_ALLOWED_ORIGINS is not set (check otp_webauthn.E002)."
        )
    return [value] if isinstance(value, str) else [str(v) for v in value]


def origin_allowed(origin: Any) -> bool:
    """Is ``origin`` (from the signed client data) one this site accepts?"""
    if not isinstance(origin, str):
        return False
    origins = allowed_origins()
    if origins is not None:
        return origin in origins
    # DEBUG without a list: the RP id's own host, http or https, any port.
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return False
    del port
    return (
        parts.scheme in ("http", "https")
        and parts.hostname == rp_id()
        and not parts.path
        and not parts.query
        and not parts.username
        and origin == origin.strip()
    )

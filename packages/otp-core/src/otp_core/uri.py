"""otpauth:// key URIs, the format authenticator apps read from a QR code.

Follows the de facto "Key Uri Format" (label ``issuer:account``, base32 secret
without padding, algorithm, digits, period or counter).
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote, urlencode

__all__ = ["build_uri"]


def _escape(text: str) -> str:
    # Everything but unreserved characters is escaped, ':' included, so that an
    # issuer or account can never forge the label's separator.
    return quote(text, safe="")


def build_uri(
    kind: str,
    secret: bytes,
    account: str,
    *,
    issuer: str | None = None,
    algorithm: str = "sha1",
    digits: int = 6,
    period: int = 30,
    counter: int = 0,
    image: str | None = None,
) -> str:
    """Return the ``otpauth://totp/...`` or ``otpauth://hotp/...`` URI for a key."""
    if kind not in ("totp", "hotp"):
        raise ValueError("kind must be 'totp' or 'hotp'")
    label = _escape(account)
    if issuer:
        label = f"{_escape(issuer)}:{label}"
    params: list[tuple[str, str]] = [
        ("secret", b32encode(secret).decode("ascii").rstrip("=")),
        ("algorithm", algorithm.upper()),
        ("digits", str(digits)),
    ]
    if kind == "totp":
        params.append(("period", str(period)))
    else:
        params.append(("counter", str(counter)))
    if issuer:
        params.append(("issuer", issuer))
    if image:
        params.append(("image", image))
    return f"otpauth://{kind}/{label}?{urlencode(params, quote_via=quote)}"

"""What every OATH (HOTP/TOTP) device shares: the key, its URI and QR code.

A device plugin adds its own counters and its matching rule; the key (hex,
encrypted at rest), the code length, the hash algorithm, the ``otpauth://``
URI and the QR code live here once.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import oath
from ..crypto import UnreadableSecret
from .fields import EncryptedSecretField

__all__ = [
    "ALGORITHM_CHOICES",
    "DIGITS_CHOICES",
    "OATHDeviceMixin",
    "grouped_base32",
    "hex_key_validator",
    "random_hex_key",
]

#: Longest key accepted, in bytes (django-otp's limit: 40 bytes, 80 hex digits).
MAX_KEY_BYTES = 40

ALGORITHM_CHOICES = [("sha1", "SHA-1"), ("sha256", "SHA-256"), ("sha512", "SHA-512")]
DIGITS_CHOICES = [(6, "6"), (8, "8")]


def random_hex_key() -> str:
    """A new random key: 20 bytes (160 bits, RFC 4226's recommendation) as hex."""
    return secrets.token_hex(20)


def hex_key_validator(value: str) -> None:
    """Accept a hex string of 1 to 40 bytes."""
    try:
        key = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise ValidationError(_("The key must be hexadecimal."), code="invalid_hex") from None
    if not 0 < len(key) <= MAX_KEY_BYTES:
        raise ValidationError(
            _("The key must be 1 to %(max)d bytes long."),
            code="invalid_length",
            params={"max": MAX_KEY_BYTES},
        )


def grouped_base32(key: bytes, group: int = 4) -> str:
    """The key in base32 without padding, in groups of four for typing by hand."""
    text = b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + group] for i in range(0, len(text), group))


class OATHDeviceMixin(models.Model):
    """Key, code length and algorithm of an HOTP or TOTP device.

    Subclasses set :attr:`oath_kind` (``"totp"`` or ``"hotp"``), the names of
    their issuer and image settings, and :meth:`uri_params` (period or counter).
    """

    key = EncryptedSecretField(
        _("key"),
        default=random_hex_key,
        validators=[hex_key_validator],
        help_text=_("A hex-encoded secret key of up to 40 bytes (encrypted at rest)."),
    )
    digits = models.PositiveSmallIntegerField(
        _("digits"),
        choices=DIGITS_CHOICES,
        default=6,
        help_text=_("The number of digits to expect in a code."),
    )
    algorithm = models.CharField(
        _("algorithm"),
        max_length=8,
        choices=ALGORITHM_CHOICES,
        default="sha1",
        help_text=_("The hash function of the HMAC (most apps support only SHA-1)."),
    )

    #: ``"totp"`` or ``"hotp"``: the kind in the ``otpauth://`` URI.
    oath_kind: ClassVar[str] = "totp"
    #: Settings holding the issuer (string, or callable taking the device) and image URL.
    issuer_setting: ClassVar[str | None] = None
    image_setting: ClassVar[str | None] = None

    class Meta:
        abstract = True

    @property
    def bin_key(self) -> bytes:
        """The key as bytes."""
        return bytes.fromhex(self.key)

    def get_issuer(self) -> str | None:
        """The issuer shown by authenticator apps, from the plugin's setting."""
        value = getattr(settings, self.issuer_setting, None) if self.issuer_setting else None
        if callable(value):
            value = value(self)
        if not value:
            return None
        # A ':' would split the URI's label in the wrong place.
        return str(value).replace(":", "")

    def get_image(self) -> str | None:
        """A logo URL for apps that show one (FreeOTP), from the plugin's setting."""
        value = getattr(settings, self.image_setting, None) if self.image_setting else None
        return str(value) if value else None

    def get_account_name(self) -> str:
        """The account part of the URI's label: the owner's user name."""
        return str(self.user.get_username())  # type: ignore[attr-defined]

    def uri_params(self) -> dict[str, Any]:
        """Kind-specific arguments of :func:`otp_core.uri.build_uri` (period or counter)."""
        return {}

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` URI an authenticator app reads from the QR code."""
        from ..uri import build_uri  # set-up pages only: not loaded at start-up

        return build_uri(
            self.oath_kind,
            self.bin_key,
            self.get_account_name(),
            issuer=self.get_issuer(),
            algorithm=self.algorithm,
            digits=self.digits,
            image=self.get_image(),
            **self.uri_params(),
        )

    @property
    def secret_key(self) -> str:
        """The key in base32, grouped, for people who type it in."""
        return grouped_base32(self.bin_key)

    def qr_code(self) -> str:
        """The QR code of :attr:`config_url` as HTML (inline SVG by default)."""
        from ..qr import render_qr

        return render_qr(self.config_url).as_html()

    def _check_oath_params(self) -> bool:
        """True when the key is readable and digits and algorithm are supported."""
        if isinstance(self.key, UnreadableSecret):
            return False  # a removed encryption key: refuse, never a 500 (otp_core.E015)
        return self.algorithm in oath.ALGORITHMS and self.digits in (6, 7, 8)

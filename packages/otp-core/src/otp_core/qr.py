"""QR codes of ``otpauth://`` URIs, drawn by the ``qrcode`` package.

``qrcode`` is imported only when a QR code is drawn: otp-core does not depend
on it, the OATH plugins do. ``TWO_FACTOR_QR_FACTORY`` names the image factory
(django-two-factor-auth's setting); the default draws SVG, which needs no
imaging library.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

__all__ = ["DEFAULT_FACTORY", "QRImage", "factory_problem", "get_factory", "render_qr"]

DEFAULT_FACTORY = "qrcode.image.svg.SvgPathImage"

_MIME_TYPES = {"SVG": "image/svg+xml", "PNG": "image/png", "JPEG": "image/jpeg"}
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>\s*")


@dataclass(frozen=True)
class QRImage:
    """A drawn QR code: the file's bytes and their media type."""

    content: bytes
    content_type: str

    @property
    def is_svg(self) -> bool:
        return self.content_type == "image/svg+xml"

    def as_html(self, alt: str = "") -> SafeString:
        """Inline markup: the SVG itself, or an ``<img>`` with a data URI."""
        if self.is_svg:
            # Drawn by qrcode from our own URI: no user markup can be in it.
            return mark_safe(_XML_DECLARATION.sub(b"", self.content).decode("utf-8"))  # noqa: S308
        data = base64.b64encode(self.content).decode("ascii")
        return format_html('<img src="data:{};base64,{}" alt="{}">', self.content_type, data, alt)


def _import_qrcode() -> Any:
    try:
        import qrcode
    except ImportError:
        raise ImproperlyConfigured(
            "Drawing QR codes needs the 'qrcode' package. Install it, or install "
            "otp-totp / otp-hotp, which depend on it."
        ) from None
    return qrcode


def get_factory() -> type:
    """The image factory class named by ``TWO_FACTOR_QR_FACTORY``."""
    _import_qrcode()
    path = getattr(settings, "TWO_FACTOR_QR_FACTORY", None) or DEFAULT_FACTORY
    if not isinstance(path, str):
        raise ImproperlyConfigured("TWO_FACTOR_QR_FACTORY must be a dotted path to a class.")
    try:
        return import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"TWO_FACTOR_QR_FACTORY {path!r} cannot be imported: {exc}"
        ) from None


def render_qr(data: str) -> QRImage:
    """Draw ``data`` (an ``otpauth://`` URI) as a QR code."""
    qrcode = _import_qrcode()
    factory = get_factory()
    image = qrcode.make(data, image_factory=factory)
    stream = io.BytesIO()
    image.save(stream)
    kind = str(getattr(image, "kind", None) or getattr(factory, "kind", "PNG")).upper()
    return QRImage(stream.getvalue(), _MIME_TYPES.get(kind, "application/octet-stream"))


def factory_problem() -> str | None:
    """Why ``TWO_FACTOR_QR_FACTORY`` (or ``qrcode``) cannot draw, or None; for checks."""
    try:
        factory = get_factory()
    except ImproperlyConfigured as exc:
        return str(exc)
    if not isinstance(factory, type):
        return "TWO_FACTOR_QR_FACTORY must name a class (a qrcode image factory)."
    return None

"""Mailing a code with django.core.mail, the body from the configured templates."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Template
from django.template.loader import get_template

from .conf import email_settings
from .exceptions import DeliveryError

if TYPE_CHECKING:
    from .models import EmailDevice

__all__ = ["render_body", "send_code", "sender_address"]

logger = logging.getLogger("otp_email")


def sender_address() -> str:
    return email_settings.OTP_EMAIL_SENDER or settings.DEFAULT_FROM_EMAIL


def _render(inline: str | None, path: str | None, context: dict[str, Any]) -> str | None:
    if inline is not None:
        return Template(inline).render(Context(context))
    if path:
        return get_template(path).render(context)
    return None


def render_body(device: EmailDevice, token: str) -> tuple[str, str | None]:
    """The plain text body and the optional HTML body for ``token``."""
    context = {
        "token": token,
        "device": device,
        "valid_minutes": max(1, math.ceil(device.get_token_validity() / 60)),
    }
    text = _render(
        email_settings.OTP_EMAIL_BODY_TEMPLATE,
        email_settings.OTP_EMAIL_BODY_TEMPLATE_PATH,
        context,
    )
    html = _render(
        email_settings.OTP_EMAIL_BODY_HTML_TEMPLATE,
        email_settings.OTP_EMAIL_BODY_HTML_TEMPLATE_PATH,
        context,
    )
    return text or "", html


def send_code(device: EmailDevice, token: str) -> None:
    """Mail ``token`` to the device's address; :class:`DeliveryError` when that fails."""
    recipient = device.recipient()
    if not recipient:
        raise DeliveryError(f"E-mail device {device.persistent_id} has no address.")
    text, html = render_body(device, token)
    message = EmailMultiAlternatives(
        subject=str(email_settings.OTP_EMAIL_SUBJECT),
        body=text,
        from_email=sender_address(),
        to=[recipient],
    )
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        # Only the kind of failure: an SMTP reply could quote what was sent.
        logger.warning(
            "Sending the code of e-mail device %s failed: %s",
            device.persistent_id,
            type(exc).__name__,
        )
        raise DeliveryError(
            f"The code of e-mail device {device.persistent_id} could not be sent "
            f"({type(exc).__name__})."
        ) from None

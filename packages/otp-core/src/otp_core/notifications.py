"""E-mail a user when the second factors of their account change (NIST SP 800-63B 6.1.2.3).

Receivers of otp-core's signals render a short plain-text message from the
overridable templates ``otp_core/notifications/<event>_subject.txt`` and
``<event>_body.txt`` and send it with :func:`django.core.mail.send_mail` once
the transaction that made the change commits (a rolled-back change mails
nobody). A failure to render or send is logged, without the address, and never
reaches the request. Mails carry no secret, code, key, device name or address:
only what happened, when, and from which kind of browser and IP address.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import router, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from .conf import otp_settings

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "EVENTS",
    "notifications_enabled",
    "notify",
    "on_backup_code_used",
    "summarize_user_agent",
]

logger = logging.getLogger("otp_core")

#: Every event a notification is sent for; each names a pair of templates.
EVENTS = (
    "device_added",
    "device_removed",
    "backup_codes_generated",
    "backup_code_used",
    "two_factor_disabled",
    "account_locked_out",
)

# Only the first part of a User-Agent header is looked at.
_AGENT_SCAN_LIMIT = 512
# (marker in the header, name shown): first match wins, so more specific first.
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def notifications_enabled() -> bool:
    """Are users notified? ``OTP_NOTIFY_USERS``, else whether the site configures mail.

    A site configures mail with ``MAILERS`` (Django 6.1+) or, before it,
    ``EMAIL_BACKEND``.
    """
    value = otp_settings.OTP_NOTIFY_USERS
    if value is None:
        return settings.is_overridden("MAILERS") or settings.is_overridden("EMAIL_BACKEND")
    return value is True


def summarize_user_agent(user_agent: str) -> str:
    """ "Firefox on Linux": a browser and system name from a fixed list, never header text.

    The header is chosen by whoever sent the request; only names this module
    knows reach the mail, so it cannot carry a message or a link of theirs.
    """
    head = str(user_agent or "")[:_AGENT_SCAN_LIMIT]
    browser = next((name for marker, name in _BROWSERS if marker in head), None)
    system = next((name for marker, name in _SYSTEMS if marker in head), None)
    if browser and system:
        return gettext("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return gettext("%(name)s (details unknown)") % {"name": browser or system}
    return gettext("an unknown browser")


def _client_ip(request: HttpRequest) -> str:
    """The peer address Django saw (``REMOTE_ADDR``), if it is an IP address."""
    raw = str(request.META.get("REMOTE_ADDR", ""))
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return ""


def _client(request: HttpRequest | None) -> dict[str, str] | None:
    if request is None or not hasattr(request, "META"):
        return None
    return {
        "agent": summarize_user_agent(request.META.get("HTTP_USER_AGENT", "")),
        "ip": _client_ip(request),
    }


def _address(user: Any) -> str:
    """The user's e-mail address (the user model's e-mail field), or ``""``."""
    get_name = getattr(type(user), "get_email_field_name", None)
    field = get_name() if callable(get_name) else "email"
    value = getattr(user, field, "") or ""
    return value.strip() if isinstance(value, str) else ""


def _device_label(device: Any) -> str:
    """What kind of device, from the plugin or the model: never the user-chosen name."""
    from . import plugins

    try:
        plugin = plugins.for_device(device)
    except Exception:  # a broken registry must not stop the mail
        plugin = None
    label = plugin.label if plugin is not None else device._meta.verbose_name
    return str(label)


def _send(event: str, user_pk: Any, subject: str, body: str, address: str) -> None:
    from_email = otp_settings.OTP_NOTIFY_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL
    try:
        send_mail(subject, body, from_email, [address])
    except Exception as exc:
        # The exception text may quote the address (SMTPRecipientsRefused): not logged.
        logger.error(
            "Could not send the %s notification to user %s (%s).",
            event,
            user_pk,
            type(exc).__name__,
        )


def notify(
    event: str,
    user: Any,
    request: HttpRequest | None = None,
    using: str | None = None,
    **context: Any,
) -> bool:
    """Mail ``user`` about ``event`` once the current transaction commits.

    ``context`` goes to the templates beside ``user``, ``when`` and ``client``
    (``{"agent": ..., "ip": ...}`` or None without a request). Returns whether
    a mail was scheduled: False when notifications are off, the user has no
    address, or the templates failed to render (logged).
    """
    if user is None or not notifications_enabled():
        return False
    address = _address(user)
    if not address:
        return False
    context = {
        **context,
        "event": event,
        "user": user,
        "when": timezone.localtime() if settings.USE_TZ else timezone.now(),
        "client": _client(request),
    }
    try:
        subject = render_to_string(f"otp_core/notifications/{event}_subject.txt", context)
        body = render_to_string(f"otp_core/notifications/{event}_body.txt", context)
    except Exception as exc:
        logger.error(
            "Could not render the %s notification for user %s (%s).",
            event,
            getattr(user, "pk", None),
            type(exc).__name__,
        )
        return False
    subject = " ".join(subject.split())
    if using is None:
        using = router.db_for_write(type(user), instance=user)
    transaction.on_commit(
        partial(_send, event, getattr(user, "pk", None), subject, body, address), using=using
    )
    return True


def _device_db(device: Any) -> str:
    return router.db_for_write(type(device), instance=device)


def _notify_device(event: str, device: Any, request: Any) -> None:
    notify(
        event, device.user, request, using=_device_db(device), device_label=_device_label(device)
    )


def on_device_added(sender: Any, device: Any, request: Any = None, **kwargs: Any) -> None:
    _notify_device("device_added", device, request)


def on_device_removed(
    sender: Any, device: Any, request: Any = None, disabling: bool = False, **kwargs: Any
) -> None:
    if disabling:
        return  # two_factor_disabled follows: one mail for the whole change
    _notify_device("device_removed", device, request)


def on_backup_codes_generated(
    sender: Any,
    user: Any,
    device: Any = None,
    count: Any = None,
    request: Any = None,
    **kwargs: Any,
) -> None:
    using = _device_db(device) if device is not None else None
    notify("backup_codes_generated", user, request, using=using, count=count)


def on_backup_code_used(
    sender: Any, device: Any, request: Any = None, remaining: Any = None, **kwargs: Any
) -> None:
    """Receiver for a plugin's "backup code used" signal (otp-static connects it)."""
    notify("backup_code_used", device.user, request, using=_device_db(device), remaining=remaining)


def on_two_factor_disabled(sender: Any, user: Any, request: Any = None, **kwargs: Any) -> None:
    notify("two_factor_disabled", user, request)


def on_account_locked_out(
    sender: Any, user: Any, failure_count: Any = None, request: Any = None, **kwargs: Any
) -> None:
    notify("account_locked_out", user, request, failure_count=failure_count)

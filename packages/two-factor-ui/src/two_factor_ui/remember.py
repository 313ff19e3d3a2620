"""Remember-this-browser: a signed cookie backed by a server-side record.

The cookie names the user, the device that verified the login and a random
browser id, carries a keyed hash of the user's password hash, and is signed
with a timestamp. It is accepted only while it is younger than
``TWO_FACTOR_REMEMBER_COOKIE_AGE``, the password is unchanged, the
:class:`~two_factor_ui.models.RememberedBrowser` record of its id still
exists (forgetting a browser deletes it), and the device still exists, is
confirmed and belongs to the user. Each user gets a cookie of its own
(prefix + random name), so several people can share a browser.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .conf import ui_settings
from .methods import device_from_id
from .user_agents import describe_user_agent

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from otp_core.models import Device

    from .models import RememberedBrowser

__all__ = [
    "browsers_for",
    "cookie_secure",
    "forget_all",
    "forget_browser",
    "forget_this_browser",
    "is_enabled",
    "remembered_browser",
    "remembered_device",
    "set_remember_cookie",
]

SALT = "two_factor_ui.remember"


def is_enabled() -> bool:
    return ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE is not None


def cookie_secure() -> bool:
    """Send the cookie over HTTPS only? The setting, else ``SESSION_COOKIE_SECURE``.

    The cookie stands in for a second factor, so it is at least as guarded
    as the session cookie it accompanies.
    """
    value = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_SECURE
    if value is None:
        return bool(getattr(settings, "SESSION_COOKIE_SECURE", False))
    return bool(value)


def _password_fingerprint(user: Any) -> str:
    # Changes whenever the password (hash) changes; reveals nothing about it.
    return salted_hmac(SALT + ".password", user.password or "", algorithm="sha256").hexdigest()


def _user_key(user: Any) -> str:
    return str(user.pk)


def _digest(browser_id: str) -> str:
    # Only the digest is stored: a copy of the table holds no usable browser id.
    return hashlib.sha256(browser_id.encode()).hexdigest()


def _cookie_kwargs() -> dict[str, Any]:
    return {
        "domain": ui_settings.TWO_FACTOR_REMEMBER_COOKIE_DOMAIN,
        "path": ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PATH,
        "samesite": ui_settings.TWO_FACTOR_REMEMBER_COOKIE_SAMESITE,
    }


def set_remember_cookie(
    response: HttpResponse, user: Any, device: Device, request: HttpRequest | None = None
) -> RememberedBrowser | None:
    """Remember this browser for ``user``, authorised by ``device``; return its record.

    ``request`` gives the User-Agent the account page names the browser by.
    """
    from .models import RememberedBrowser

    age = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE
    if age is None:
        return None
    browser_id = secrets.token_urlsafe(32)
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    record = RememberedBrowser.objects.create(
        user=user,
        key_digest=_digest(browser_id),
        device_id=device.persistent_id,
        user_agent=describe_user_agent(agent),
    )
    value = signing.dumps(
        {
            "u": _user_key(user),
            "d": device.persistent_id,
            "p": _password_fingerprint(user),
            "b": browser_id,
        },
        salt=SALT,
        compress=True,
    )
    response.set_cookie(
        ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PREFIX + uuid.uuid4().hex,
        value,
        max_age=int(age),
        secure=cookie_secure(),
        httponly=ui_settings.TWO_FACTOR_REMEMBER_COOKIE_HTTPONLY,
        **_cookie_kwargs(),
    )
    return record


def _valid_cookies(request: HttpRequest, user: Any) -> list[tuple[str, RememberedBrowser]]:
    """``(cookie name, record)`` of every cookie of ``user`` that passes every check."""
    from .models import RememberedBrowser

    age = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE
    if age is None or user is None or getattr(user, "pk", None) is None:
        return []
    prefix = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PREFIX
    found = []
    for name, value in request.COOKIES.items():
        if not name.startswith(prefix):
            continue
        try:
            data = signing.loads(value, salt=SALT, max_age=int(age))
        except (signing.BadSignature, ValueError, TypeError):
            continue  # expired, tampered with or malformed: refused
        if not isinstance(data, dict) or data.get("u") != _user_key(user):
            continue
        if not constant_time_compare(str(data.get("p", "")), _password_fingerprint(user)):
            continue
        browser_id, device_id = data.get("b"), data.get("d")
        if not isinstance(browser_id, str) or not browser_id or not isinstance(device_id, str):
            continue  # an older cookie without a record: refused
        record = RememberedBrowser.objects.filter(
            key_digest=_digest(browser_id), user_id=user.pk, device_id=device_id
        ).first()
        if record is None:
            continue  # forgotten
        device = device_from_id(user, device_id)
        if device is None:
            continue
        record.device = device  # type: ignore[attr-defined]
        found.append((name, record))
    return found


def remembered_browser(
    request: HttpRequest, user: Any, touch: bool = False
) -> RememberedBrowser | None:
    """The record of a valid remember cookie of ``user`` (``.device`` set), or None.

    ``touch`` stamps its ``last_used_at``: the sign-in used it.
    """
    for _name, record in _valid_cookies(request, user):
        if touch:
            record.last_used_at = timezone.now()
            record.save(update_fields=["last_used_at"])
        return record
    return None


def remembered_device(request: HttpRequest, user: Any, touch: bool = False) -> Device | None:
    """The device a valid remember cookie of ``user`` names, or None."""
    record = remembered_browser(request, user, touch=touch)
    return record.device if record is not None else None  # type: ignore[attr-defined]


def browsers_for(request: HttpRequest, user: Any) -> list[RememberedBrowser]:
    """``user``'s remembered browsers still valid, newest first; ``current`` marks this one.

    Records older than the cookie age (their cookies have expired) are deleted.
    """
    from .models import RememberedBrowser

    age = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE
    records = RememberedBrowser.objects.filter(user_id=user.pk)
    if age is not None:
        cutoff = timezone.now() - datetime.timedelta(seconds=int(age))
        records.filter(created_at__lt=cutoff).delete()
        records = records.filter(created_at__gte=cutoff)
    current = {record.pk for _name, record in _valid_cookies(request, user)}
    browsers = list(records)
    for browser in browsers:
        browser.current = browser.pk in current  # type: ignore[attr-defined]
    return browsers


def forget_browser(user: Any, pk: Any) -> bool:
    """Forget one of ``user``'s remembered browsers; False when there was none."""
    from .models import RememberedBrowser

    deleted, _ = RememberedBrowser.objects.filter(user_id=user.pk, pk=pk).delete()
    return bool(deleted)


def forget_all(user: Any) -> int:
    """Forget every browser remembered for ``user``; return how many."""
    from .models import RememberedBrowser

    deleted, _ = RememberedBrowser.objects.filter(user_id=user.pk).delete()
    return deleted


def forget_this_browser(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    """Forget this browser for ``user``: delete its records and its cookies."""
    for name, record in _valid_cookies(request, user):
        record.delete()
        response.delete_cookie(name, **_cookie_kwargs())

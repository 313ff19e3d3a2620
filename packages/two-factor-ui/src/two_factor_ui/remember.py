"""Remember-this-browser: a signed cookie naming this browser's signed-in record.

A remembered browser is otp-core's :class:`~otp_core.models.SignedInBrowser`
row of the sign-in that ticked the box, marked ``remembered_at``: it
outlives the session, so the account page lists it and the user stays
known, but a sign-in through it records the remembered verification with
its old time, so policies with a maximum age still ask for a fresh factor.

The cookie names the user, the device that verified the login and the
browser's random id, carries a keyed hash of the user's password hash, and
is signed with a timestamp. It is accepted only while it is younger than
``TWO_FACTOR_REMEMBER_COOKIE_AGE``, the password is unchanged, the row of
its id is still remembered through that device (forgetting a browser clears
that), and the device still exists, is confirmed and belongs to the user.
Each user gets a cookie of its own (prefix + random name), so several
people can share a browser.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from otp_core import browsers

from .conf import ui_settings
from .methods import device_from_id

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from otp_core.models import Device, SignedInBrowser

__all__ = [
    "browsers_for",
    "cookie_secure",
    "forget_all",
    "forget_browser",
    "forget_this_browser",
    "is_enabled",
    "remembered_browser",
    "remembered_device",
    "resume",
    "sent_cookies",
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


def _cookie_kwargs() -> dict[str, Any]:
    return {
        "domain": ui_settings.TWO_FACTOR_REMEMBER_COOKIE_DOMAIN,
        "path": ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PATH,
        "samesite": ui_settings.TWO_FACTOR_REMEMBER_COOKIE_SAMESITE,
    }


def set_remember_cookie(
    response: HttpResponse, user: Any, device: Device, request: HttpRequest | None = None
) -> str | None:
    """Remember this browser for ``user``, authorised by ``device``.

    Marks the browser's signed-in row remembered (written at the end of the
    request) and sets the cookie; returns the browser id, None when nothing
    was remembered (the feature is off, or the request has no signed-in row).
    """
    age = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE
    if age is None or request is None:
        return None
    browser_id = browsers.remember(request, device.persistent_id)
    if browser_id is None:
        return None
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
    return browser_id


def sent_cookies(request: HttpRequest) -> list[tuple[str, str]]:
    """``(name, value)`` of the cookies named as remember cookies are.

    This package's and django-two-factor-auth's share the prefix
    (``TWO_FACTOR_REMEMBER_COOKIE_PREFIX``); none sent, nothing to check.
    """
    prefix = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PREFIX
    return [(name, value) for name, value in request.COOKIES.items() if name.startswith(prefix)]


def _valid_cookies(request: HttpRequest, user: Any) -> list[tuple[str, SignedInBrowser]]:
    """``(cookie name, row)`` of every cookie of ``user`` that passes every check.

    Each row gets ``browser_id`` (the cookie's) and ``device``.
    """
    from otp_core.models import SignedInBrowser

    age = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE
    if age is None or user is None or getattr(user, "pk", None) is None:
        return []
    cutoff = timezone.now() - datetime.timedelta(seconds=int(age))
    found = []
    for name, value in sent_cookies(request):
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
        record = SignedInBrowser.objects.filter(
            key_digest=browsers.digest(browser_id),
            user_id=user.pk,
            remembered_device_id=device_id,
            remembered_at__gte=cutoff,
        ).first()
        if record is None:
            continue  # forgotten
        device = device_from_id(user, device_id)
        if device is None:
            continue
        record.device = device  # type: ignore[attr-defined]
        record.browser_id = browser_id  # type: ignore[attr-defined]
        found.append((name, record))
    return found


def remembered_browser(request: HttpRequest, user: Any) -> SignedInBrowser | None:
    """The row of a valid remember cookie of ``user`` (``.device`` set), or None."""
    for _name, record in _valid_cookies(request, user):
        return record
    return None


def remembered_device(request: HttpRequest, user: Any) -> Device | None:
    """The device a valid remember cookie of ``user`` names, or None."""
    record = remembered_browser(request, user)
    return record.device if record is not None else None  # type: ignore[attr-defined]


def resume(
    request: HttpRequest, user: Any, record: SignedInBrowser | None = None
) -> SignedInBrowser | None:
    """Signed in through a remembered browser: this session becomes that row's.

    Call after Django's ``login()``; the row is signed in again instead of a
    new one being made. ``record``: the row :func:`remembered_browser` gave
    earlier in this request (else the cookies are read again). Returns the
    row, None when no cookie is valid.
    """
    if record is None:
        record = remembered_browser(request, user)
    if record is not None:
        browsers.adopt(request, user, record.browser_id)  # type: ignore[attr-defined]
    return record


def browsers_for(request: HttpRequest, user: Any) -> list[SignedInBrowser]:
    """``user``'s signed-in and remembered browsers (:func:`otp_core.browser_list.browsers_for`).

    ``current`` marks this one, ``remembered`` those a cookie can still use.
    """
    from otp_core.browser_list import browsers_for as listed

    return listed(request, user, ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE)


def forget_browser(user: Any, pk: Any) -> bool:
    """Forget one of ``user``'s remembered browsers; False when there was none."""
    from otp_core.browser_list import forget_remembered
    from otp_core.models import SignedInBrowser

    return bool(forget_remembered(SignedInBrowser.objects.filter(user_id=user.pk, pk=pk)))


def forget_all(user: Any) -> int:
    """Forget every browser remembered for ``user``; return how many."""
    from otp_core.browser_list import forget_remembered
    from otp_core.models import SignedInBrowser

    return forget_remembered(SignedInBrowser.objects.filter(user_id=user.pk))


def forget_this_browser(request: HttpRequest, response: HttpResponse, user: Any) -> int:
    """Forget this browser for ``user``: its remembering and its cookies; return how many."""
    from otp_core.browser_list import forget_remembered
    from otp_core.models import SignedInBrowser

    forgotten = 0
    for name, record in _valid_cookies(request, user):
        forgotten += forget_remembered(SignedInBrowser.objects.filter(pk=record.pk))
        response.delete_cookie(name, **_cookie_kwargs())
    return forgotten

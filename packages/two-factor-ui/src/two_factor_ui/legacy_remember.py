"""django-two-factor-auth's remember cookies, honoured once after the switch.

Its cookie (``remember-cookie_<uuid>``) is ``timestamp:key:value``: the
base62 time it was set, the MD5 of the device's django-otp persistent id, and
``salted_hmac`` (SHA-256, ``SECRET_KEY``) of persistent id, user pk, password
hash and timestamp under its salt. It is checked here by the same rules,
against the old persistent ids of the user's imported, confirmed devices, and
must be younger than ``TWO_FACTOR_REMEMBER_COOKIE_AGE``. A valid one stands
in for the token step once: the sign-in deletes it and issues a cookie of
this package (:func:`two_factor_ui.remember.set_remember_cookie`). A
changed password invalidates it, as before. ``OTP_LEGACY_SESSIONS = False``
turns this off; it goes away with that setting.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any

from django.core.signing import b62_decode
from django.utils.crypto import constant_time_compare, salted_hmac

from otp_core.auth import devices_for_user
from otp_core.conf import otp_settings
from otp_core.legacy import legacy_ids

from . import remember
from .conf import ui_settings

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from otp_core.models import Device

__all__ = ["legacy_cookie", "reissue", "remembered_device"]

#: django-two-factor-auth's salt for the cookie's value.
LEGACY_SALT = "two_factor.views.utils.hash_remember_device_cookie_value"
#: A cookie dated this far in the future (seconds, clock skew) is still refused.
_SKEW = 60


def _enabled() -> bool:
    return otp_settings.OTP_LEGACY_SESSIONS is True and remember.is_enabled()


def _valid_time(stamp: str) -> bool:
    try:
        issued = b62_decode(stamp)
    except (ValueError, KeyError):
        return False
    age = time.time() - issued
    return -_SKEW <= age <= int(ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE)


def legacy_cookie(request: HttpRequest, user: Any) -> tuple[str, Device] | None:
    """``(cookie name, device)`` of a valid django-two-factor-auth cookie of ``user``, or None."""
    if not _enabled() or getattr(user, "pk", None) is None:
        return None
    cookies = [
        (name, value)
        for name, value in remember.sent_cookies(request)
        if isinstance(value, str) and value.count(":") == 2
    ]
    if not cookies:
        return None
    candidates = [
        (old_id, device)
        for device in devices_for_user(user, confirmed=True)
        for old_id in legacy_ids(device)
    ]
    for name, value in cookies:
        stamp, key, mac = value.split(":")
        for old_id, device in candidates:
            if not constant_time_compare(key, hashlib.md5(old_id.encode()).hexdigest()):  # noqa: S324 - its format
                continue
            expected = salted_hmac(
                LEGACY_SALT, old_id + str(user.pk) + str(user.password) + stamp, algorithm="sha256"
            ).hexdigest()
            if constant_time_compare(mac, expected) and _valid_time(stamp):
                return name, device
    return None


def remembered_device(request: HttpRequest, user: Any) -> Device | None:
    """The device a valid django-two-factor-auth remember cookie of ``user`` names, or None."""
    found = legacy_cookie(request, user)
    return found[1] if found else None


def reissue(request: HttpRequest, response: HttpResponse, user: Any, device: Device) -> bool:
    """Swap the legacy cookie that signed ``user`` in with ``device`` for one of ours."""
    found = legacy_cookie(request, user)
    if found is None or found[1].persistent_id != device.persistent_id:
        return False
    response.delete_cookie(
        found[0],
        path=ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PATH,
        domain=ui_settings.TWO_FACTOR_REMEMBER_COOKIE_DOMAIN,
        samesite=ui_settings.TWO_FACTOR_REMEMBER_COOKIE_SAMESITE,
    )
    remember.set_remember_cookie(response, user, device, request=request)
    return True

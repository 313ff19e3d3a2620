"""Remember-this-browser: a signed cookie that stands in for the token step.

The cookie names the user and the device that verified the login, carries a
keyed hash of the user's password hash, and is signed with a timestamp. It is
accepted only while it is younger than ``TWO_FACTOR_REMEMBER_COOKIE_AGE``,
the password is unchanged, and the device still exists, is confirmed and
belongs to the user. Each user gets a cookie of its own (prefix + random id),
so several people can share a browser.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from .conf import ui_settings
from .methods import device_from_id

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from otp_core.models import Device

__all__ = ["cookie_secure", "is_enabled", "remembered_device", "set_remember_cookie"]

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


def set_remember_cookie(response: HttpResponse, user: Any, device: Device) -> None:
    """Remember this browser for ``user``, authorised by ``device``."""
    age = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE
    if age is None:
        return
    value = signing.dumps(
        {"u": _user_key(user), "d": device.persistent_id, "p": _password_fingerprint(user)},
        salt=SALT,
        compress=True,
    )
    response.set_cookie(
        ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PREFIX + uuid.uuid4().hex,
        value,
        max_age=int(age),
        domain=ui_settings.TWO_FACTOR_REMEMBER_COOKIE_DOMAIN,
        path=ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PATH,
        secure=cookie_secure(),
        httponly=ui_settings.TWO_FACTOR_REMEMBER_COOKIE_HTTPONLY,
        samesite=ui_settings.TWO_FACTOR_REMEMBER_COOKIE_SAMESITE,
    )


def remembered_device(request: HttpRequest, user: Any) -> Device | None:
    """The device a valid remember cookie of ``user`` names, or None."""
    age = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_AGE
    if age is None:
        return None
    prefix = ui_settings.TWO_FACTOR_REMEMBER_COOKIE_PREFIX
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
        device = device_from_id(user, data.get("d"))
        if device is not None:
            return device
    return None

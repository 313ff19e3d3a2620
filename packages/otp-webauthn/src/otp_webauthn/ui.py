"""What a UI (two-factor-ui) asks the plugin through ``Plugin.options`` hooks.

``login_page`` adds passkey sign-in to a password login page; ``device_details``
says what the key list shows of one key. Neither imports a UI package.
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import date as date_filter
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from .conf import setting

__all__ = ["device_details", "login_page"]


def login_page(request: Any) -> dict[str, Any] | None:
    """Passkey sign-in on the login page, when ``OTP_WEBAUTHN_PASSWORDLESS`` is on.

    The fragment holds the "Sign in with a passkey" button; the script starts
    an autofill (conditional mediation) request where the browser offers one,
    which the user name field's ``webauthn`` autocomplete token enables.
    """
    if not setting("OTP_WEBAUTHN_PASSWORDLESS"):
        return None
    try:
        reverse("otp_webauthn:authenticate-begin")
    except NoReverseMatch:  # the site has not included otp_webauthn.urls
        return None
    return {
        "template": "otp_webauthn/login_passkey.html",
        "static_js": ("otp_webauthn/webauthn.js",),
        "username_autocomplete": "webauthn",
    }


def device_details(device: Any) -> list[str]:
    """Short facts of one key for the key list: kind, when added, when last used."""
    details = [gettext("synced passkey") if device.backup_eligible else gettext("device-bound key")]
    if device.created_at:
        details.append(gettext("added %(date)s") % {"date": date_filter(device.created_at)})
    if device.last_used_at:
        details.append(gettext("last used %(date)s") % {"date": date_filter(device.last_used_at)})
    else:
        details.append(gettext("never used"))
    return details

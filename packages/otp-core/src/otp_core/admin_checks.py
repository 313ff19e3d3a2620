"""System checks of the admin: Django's ``admin.site`` must not open with a password alone.

``otp_core.W003``: the URLconf routes to ``admin.site`` and it is a plain
``AdminSite``. ``otp_core.W004``: its login is replaced (two-factor-ui's
``TWO_FACTOR_PATCH_ADMIN``), but it still admits staff whose session is not
verified, e.g. staff without any device, who pass the two-factor login with a
password. A site is protected when it derives from
:class:`otp_core.admin.OTPAdminSiteMixin` (``OTPAdminSite``, two-factor-ui's
``AdminSiteOTPRequired``).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning

__all__ = ["check_admin_site"]

_HINT = (
    "Make it require a verified session: in the root urls.py, before "
    "path('admin/', admin.site.urls), set admin.site.__class__ = "
    "otp_core.admin.OTPAdminSite (or two_factor_ui.admin.AdminSiteOTPRequired)."
)


def _routes_to(patterns: Any, site: Any) -> bool:
    """True when some URL pattern under ``patterns`` is a view of ``site``."""
    for pattern in patterns:
        nested = getattr(pattern, "url_patterns", None)
        if nested is not None:
            if _routes_to(nested, site):
                return True
        elif getattr(getattr(pattern, "callback", None), "admin_site", None) is site:
            return True
    return False


def check_admin_site(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.apps import apps

    if not apps.is_installed("django.contrib.admin"):
        return []
    from django.contrib import admin
    from django.urls import get_resolver
    from django.utils.functional import empty

    from .admin import OTPAdminSiteMixin

    try:
        # Importing the URLconf first: a project may replace admin.site's class there.
        patterns = get_resolver().url_patterns
    except Exception:  # Django's own URL checks report a broken URLconf.
        return []
    site = getattr(admin.site, "_wrapped", admin.site)
    if site is empty or not _routes_to(patterns, site):
        return []
    if isinstance(site, OTPAdminSiteMixin):
        return []
    if getattr(type(site).login, "__module__", None) != "django.contrib.admin.sites":
        return [
            Warning(
                "admin.site sends its login page elsewhere but admits staff whose session is "
                "not verified: staff without a second factor reach it with a password alone.",
                hint=_HINT,
                obj=site,
                id="otp_core.W004",
            )
        ]
    return [
        Warning(
            "admin.site is a plain AdminSite: staff reach it with a password alone.",
            hint=_HINT,
            obj=site,
            id="otp_core.W003",
        )
    ]

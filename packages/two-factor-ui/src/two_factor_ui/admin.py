"""Admin integration: the admin's login goes through the two-factor login.

``patch_admin()`` (run by the app when ``TWO_FACTOR_PATCH_ADMIN`` is true)
makes ``AdminSite.login`` redirect there; ``unpatch_admin()`` undoes it.
``AdminSiteOTPRequired`` also refuses staff whose session is not verified.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse

from otp_core.admin import OTPAdminSiteMixin

from .redirects import safe_next

__all__ = [
    "AdminSiteOTPRequired",
    "AdminSiteOTPRequiredMixin",
    "is_admin_patched",
    "patch_admin",
    "unpatch_admin",
]

_original_login = AdminSite.login
# URL patterns bind the login method once; the flag lets unpatch_admin() work
# for patterns built while the patch was on.
_patched = {"on": False}


def _redirect_to_two_factor_login(site: AdminSite, request: Any) -> HttpResponseRedirect:
    fallback = reverse("admin:index", current_app=site.name)
    target = safe_next(request, request.GET.get(REDIRECT_FIELD_NAME), fallback)
    return redirect_to_login(target, resolve_url("two_factor:login"), REDIRECT_FIELD_NAME)


def _two_factor_admin_login(self: AdminSite, request: Any, extra_context: Any = None) -> Any:
    """Replacement of ``AdminSite.login``: send the user to the two-factor login."""
    if not _patched["on"] or (
        isinstance(self, OTPAdminSiteMixin) and not isinstance(self, AdminSiteOTPRequiredMixin)
    ):
        # otp-core's OTPAdminSite asks for the second factor in its own login
        # form: it cannot be got round, so it keeps that form.
        return _original_login(self, request, extra_context)
    return _redirect_to_two_factor_login(self, request)


def patch_admin() -> None:
    """Make every ``AdminSite``'s login page redirect to ``two_factor:login``."""
    _patched["on"] = True
    AdminSite.login = _two_factor_admin_login  # type: ignore[method-assign]


def unpatch_admin() -> None:
    """Restore Django's own admin login."""
    _patched["on"] = False
    AdminSite.login = _original_login  # type: ignore[method-assign]


def is_admin_patched() -> bool:
    return _patched["on"] and AdminSite.login is _two_factor_admin_login


class AdminSiteOTPRequiredMixin(OTPAdminSiteMixin):
    """Admit only active staff whose session passed a second factor.

    Its login page is the two-factor login (with ``next``), whether or not
    the admin is patched. Wrap custom admin views with ``admin_view()`` or
    check ``has_permission()`` so they are protected too.
    """

    def login(self, request: Any, extra_context: Any = None) -> Any:
        return _redirect_to_two_factor_login(self, request)  # type: ignore[arg-type]


class AdminSiteOTPRequired(AdminSiteOTPRequiredMixin, admin.AdminSite):
    """An ``AdminSite`` that requires verified staff."""

"""``RequireSetupMiddleware``: users the policy names must set up a device first."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.translation import gettext_lazy as _

from .conf import ui_settings
from .enforcement import requires_setup

__all__ = ["RequireSetupMiddleware"]

#: Pages a user without a device must still reach (names in ``two_factor``).
ALWAYS_EXEMPT = ("login", "logout", "setup", "setup_complete", "qr")

MESSAGE = _("Your account needs two-factor authentication. Please set it up to continue.")


class RequireSetupMiddleware:
    """Redirect signed-in users that ``TWO_FACTOR_REQUIRE`` names to set-up.

    Put it after ``AuthenticationMiddleware`` (and ``MessageMiddleware`` to
    show why). Set-up, login, logout, static and media URLs are let through,
    plus ``TWO_FACTOR_REQUIRE_EXEMPT_URLS`` (paths below the script prefix,
    path prefixes ending in ``/``, or URL names with their namespace).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and not self.is_exempt(request) and requires_setup(user):
            return self.redirect(request)
        return self.get_response(request)

    def is_exempt(self, request: HttpRequest) -> bool:
        """May this request pass without set-up? Decided on the resolved URL.

        URL names are compared with the name the request resolves to, and
        configured paths with ``path_info`` (the path below the script prefix),
        so a site mounted under ``SCRIPT_NAME`` keeps its exempt pages; "/" is
        exempt only when listed itself.
        """
        match = getattr(request, "resolver_match", None)
        if match is None:
            try:
                match = resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404:
                match = None
        names = {f"two_factor:{name}" for name in ALWAYS_EXEMPT}
        paths: list[str] = []
        for entry in ui_settings.TWO_FACTOR_REQUIRE_EXEMPT_URLS:
            entry = str(entry)
            if entry.startswith("/"):
                paths.append(entry)
            else:
                names.add(entry)
        if match is not None and match.view_name in names:
            return True
        path = request.path_info
        for exempt in paths:
            if path == exempt or (
                exempt != "/" and exempt.endswith("/") and path.startswith(exempt)
            ):
                return True
        return self._is_static(request.path)

    @staticmethod
    def _is_static(path: str) -> bool:
        """Under ``STATIC_URL`` or ``MEDIA_URL`` (when they are set to a path of their own)."""
        root = get_script_prefix()
        for name in ("STATIC_URL", "MEDIA_URL"):
            prefix = str(getattr(settings, name, None) or "")
            # An unset MEDIA_URL reads as the script prefix: that is every page, not media.
            if not prefix or "://" in prefix or prefix in ("/", root):
                continue
            if not prefix.startswith("/"):
                prefix = root + prefix
            if path.startswith(prefix if prefix.endswith("/") else prefix + "/"):
                return True
        return False

    def redirect(self, request: HttpRequest) -> HttpResponse:
        if "django.contrib.messages" in settings.INSTALLED_APPS and hasattr(request, "_messages"):
            from django.contrib import messages

            if not any(str(m) == str(MESSAGE) for m in messages.get_messages(request)):
                messages.warning(request, MESSAGE)
            # get_messages() marked them as seen; keep them for the next page.
            messages.get_messages(request).used = False
        return redirect_to_login(request.get_full_path(), resolve_url("two_factor:setup"), "next")

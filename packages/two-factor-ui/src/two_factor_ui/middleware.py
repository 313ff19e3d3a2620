"""``RequireSetupMiddleware``: users the policy names must set up a device first."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
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
    plus ``TWO_FACTOR_REQUIRE_EXEMPT_URLS`` (paths, path prefixes ending in
    ``/``, or URL names).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and not self.is_exempt(request.path_info) and requires_setup(user):
            return self.redirect(request)
        return self.get_response(request)

    def exempt_paths(self) -> list[str]:
        paths = []
        for name in ALWAYS_EXEMPT:
            try:
                paths.append(reverse(f"two_factor:{name}"))
            except NoReverseMatch:
                continue
        for prefix in (getattr(settings, "STATIC_URL", None), getattr(settings, "MEDIA_URL", None)):
            if prefix and str(prefix).startswith("/"):
                paths.append(str(prefix))
            elif prefix and "://" not in str(prefix):
                paths.append("/" + str(prefix))
        for entry in ui_settings.TWO_FACTOR_REQUIRE_EXEMPT_URLS:
            entry = str(entry)
            if entry.startswith("/"):
                paths.append(entry)
            else:
                try:
                    paths.append(reverse(entry))
                except NoReverseMatch:
                    continue
        return paths

    def is_exempt(self, path: str) -> bool:
        for exempt in self.exempt_paths():
            if path == exempt or (
                exempt.endswith("/") and exempt != "/" and path.startswith(exempt)
            ):
                # The login and set-up pages cover their sub-pages (setup/complete/).
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

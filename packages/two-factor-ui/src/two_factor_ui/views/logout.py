"""Sign out (POST), then go to ``LOGOUT_REDIRECT_URL`` or a validated ``next``.

Signing out also forgets this browser (its remember cookie and record)
unless the form's ``keep_remembered`` box was ticked.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import LogoutView as DjangoLogoutView
from django.utils.decorators import method_decorator

from otp_core.views_security import protect_page

from .. import remember

__all__ = ["KEEP_REMEMBERED", "LogoutView"]

#: The sign-out form's checkbox: keep remembering this browser.
KEEP_REMEMBERED = "keep_remembered"


@method_decorator(protect_page, name="dispatch")
class LogoutView(DjangoLogoutView):
    """Django's logout view (it validates ``next``) with this package's template."""

    template_name = "two_factor/core/logged_out.html"
    # Django 4.2 still signs out on GET (deprecated); a link must not sign anyone out.
    http_method_names = ["post", "options"]

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        user = request.user  # read (and loaded) before super().post() signs it out
        signed_in = bool(getattr(user, "is_authenticated", False))
        response = super().post(request, *args, **kwargs)
        if signed_in and not request.POST.get(KEEP_REMEMBERED):
            remember.forget_this_browser(request, response, user)
        return response

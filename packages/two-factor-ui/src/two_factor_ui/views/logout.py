"""Sign out (POST), then go to ``LOGOUT_REDIRECT_URL`` or a validated ``next``."""

from __future__ import annotations

from django.contrib.auth.views import LogoutView as DjangoLogoutView
from django.utils.decorators import method_decorator

from otp_core.views_security import protect_page

__all__ = ["LogoutView"]


@method_decorator(protect_page, name="dispatch")
class LogoutView(DjangoLogoutView):
    """Django's logout view (it validates ``next``) with this package's template."""

    template_name = "two_factor/core/logged_out.html"
    # Django 4.2 still signs out on GET (deprecated); a link must not sign anyone out.
    http_method_names = ["post", "options"]

"""Sign out (POST), then go to ``LOGOUT_REDIRECT_URL`` or a validated ``next``."""

from __future__ import annotations

from django.contrib.auth.views import LogoutView as DjangoLogoutView

__all__ = ["LogoutView"]


class LogoutView(DjangoLogoutView):
    """Django's logout view (it validates ``next``) with this package's template."""

    template_name = "two_factor/core/logged_out.html"
    # Django 4.2 still signs out on GET (deprecated); a link must not sign anyone out.
    http_method_names = ["post", "options"]

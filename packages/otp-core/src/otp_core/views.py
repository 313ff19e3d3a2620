"""A login view that takes the password and the second factor together."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator

from .auth import login as otp_login
from .forms import OTPAuthenticationForm
from .views_security import protect_page

__all__ = ["LoginView"]


@method_decorator(protect_page, name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's ``LoginView`` with :class:`OTPAuthenticationForm`.

    Redirect targets are validated by Django's own ``LoginView``.
    """

    authentication_form = OTPAuthenticationForm
    template_name = "otp_core/login.html"

    def form_valid(self, form: Any) -> Any:
        response = super().form_valid(form)
        device = getattr(form.get_user(), "otp_device", None)
        if device is not None:
            otp_login(self.request, device)
        return response

"""A login view that takes the password and the second factor together."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .auth import login as otp_login
from .auth import user_has_device
from .forms import OTPAuthenticationForm
from .page_base import base_template
from .views_security import protect_page

__all__ = ["LoginView", "enrolment_url"]

#: Fields of :class:`OTPAuthenticationForm` whose errors mean "the second factor
#: failed" (the password was right when the form knows the user).
OTP_FIELDS = frozenset({NON_FIELD_ERRORS, "otp_device", "otp_token", "otp_challenge"})
#: Error codes that mean the credentials themselves were refused.
CREDENTIAL_ERRORS = frozenset({"invalid_login", "inactive"})


def enrolment_url() -> str | None:
    """The URL of otp-core's enrolment page when the project includes ``otp_core.urls``."""
    try:
        return reverse("otp_core:setup")
    except NoReverseMatch:
        return None


@method_decorator(protect_page, name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's ``LoginView`` with :class:`OTPAuthenticationForm`.

    A user whose password is right but who has no confirmed device yet is
    refused with a message saying so (django-otp's behaviour, since nothing
    can check a second factor), unless the site sets
    ``allow_without_device = True``: that user is then signed in with the
    password alone, unverified, and sent to otp-core's enrolment page when
    ``otp_core.urls`` is included. Redirect targets are validated by
    Django's own ``LoginView``.
    """

    authentication_form = OTPAuthenticationForm
    template_name = "otp_core/login.html"
    #: Sign in users without any device with their password alone (unverified).
    allow_without_device: bool = False

    no_device_messages = {
        "no_device": _(
            "Your account has no two-factor device yet, so you cannot sign in here. "
            "Please ask the site's administrator to set one up for you."
        ),
        "no_device_enrol": _(
            "Your account has no two-factor device yet, so you cannot sign in here. "
            "Please ask the site's administrator to set one up for you, or to let you "
            "sign in once with your password and set one up yourself at %(url)s."
        ),
    }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("base_template", base_template())
        return context

    def form_valid(self, form: Any) -> Any:
        response = super().form_valid(form)
        device = getattr(form.get_user(), "otp_device", None)
        if device is not None:
            otp_login(self.request, device)
        return response

    def form_invalid(self, form: Any) -> Any:
        user = form.get_user()
        if user is not None and self._only_second_factor_failed(form) and not user_has_device(user):
            if self.allow_without_device:
                return self._sign_in_to_enrol(form)
            url = enrolment_url()
            if url:
                error = ValidationError(
                    self.no_device_messages["no_device_enrol"],
                    code="no_device",
                    params={"url": url},
                )
            else:
                error = ValidationError(self.no_device_messages["no_device"], code="no_device")
            form.errors.clear()
            form.add_error(None, error)
        return super().form_invalid(form)

    @staticmethod
    def _only_second_factor_failed(form: Any) -> bool:
        errors = form.errors.as_data()
        if set(errors) - OTP_FIELDS:
            return False
        return not any(e.code in CREDENTIAL_ERRORS for e in errors.get(NON_FIELD_ERRORS, ()))

    def _sign_in_to_enrol(self, form: Any) -> Any:
        """Password-only sign-in of a user without a device; then to enrolment."""
        response = super().form_valid(form)  # Django's login(): no second factor
        url = enrolment_url()
        if url:
            return HttpResponseRedirect(f"{url}?{urlencode({'next': self.get_success_url()})}")
        return response

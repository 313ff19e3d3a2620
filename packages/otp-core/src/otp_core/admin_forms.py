"""The OTP admin's forms: its login form and a pending device's confirmation.

Kept apart from :mod:`otp_core.admin`, which every worker imports when the
admin registers its models, so that they (and the forms module behind the
login form) load only where the admin's login page or a pending device's
page is shown. Both still import from :mod:`otp_core.admin`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import OTPAuthenticationFormMixin, refusal_error
from .refusal_messages import PluralMessage
from .verification import verify
from .widgets import OneTimeCodeInput

__all__ = ["ConfirmationGuardForm", "OTPAdminAuthenticationForm"]


class OTPAdminAuthenticationForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """The admin's login form with device choice and one-time code."""

    otp_device = forms.CharField(label=_("Device"), required=False, widget=forms.Select())
    otp_token = forms.CharField(
        label=_("One-time code"),
        required=False,
        widget=OneTimeCodeInput(),
    )
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        return self.clean_after_credentials(super().clean())


def _throttled_in_admin(seconds: int) -> str:
    return ngettext(
        "Too many wrong codes. Please try again in %(seconds)d second.",
        "Too many wrong codes. Please try again in %(seconds)d seconds.",
        seconds,
    )


class ConfirmationGuardForm(forms.ModelForm):
    """A pending device's admin form: *confirmed* needs one of the device's codes.

    A pending device's destination (a number, an address, a key) was chosen by
    whoever started the set-up; ticking *confirmed* alone would make it a
    working factor without its code ever being entered. So ticking it needs a
    code the device accepts (the authenticator app's, or the one sent during
    the set-up), checked through otp-core's one path (throttled like any other
    attempt). Clearing *confirmed* on a confirmed device needs nothing.
    """

    confirmation_code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=64,
        widget=OneTimeCodeInput(),
        help_text=_("To confirm this device, tick “confirmed” and enter a code it gives."),
    )

    #: The admin's request (set by ``DeviceAdmin.get_form``), for the signals.
    request: Any = None
    error_messages = {
        "invalid_token": _("This code was not accepted; the device stays unconfirmed."),
        "throttled": PluralMessage("seconds", _throttled_in_admin),
        "locked_out": _("This device is locked after too many wrong codes."),
    }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.confirmed_by_code = False
        # Still the stored value: the form's values reach the instance after clean().
        pending = self.instance.pk is not None and not self.instance.confirmed
        if not pending or not cleaned.get("confirmed") or self.errors:
            return cleaned
        code = (cleaned.get("confirmation_code") or "").strip()
        if not code:
            self.add_error(
                "confirmed",
                forms.ValidationError(
                    _("A device is confirmed only by entering one of its codes."),
                    code="confirm_in_admin",
                ),
            )
            return cleaned
        result = verify(self.instance, code, request=self.request)
        if not result.accepted:
            self.add_error("confirmation_code", refusal_error(result, self.error_messages))
            return cleaned
        self.confirmed_by_code = True
        return cleaned

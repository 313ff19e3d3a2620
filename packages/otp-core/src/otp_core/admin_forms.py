"""The OTP admin's login form (``otp_core.admin.OTPAdminAuthenticationForm``).

Kept apart from :mod:`otp_core.admin`, which every worker imports when the
admin registers its models, so that the forms module behind it is loaded
only where the admin's own login page is shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from .forms import OTPAuthenticationFormMixin
from .widgets import OneTimeCodeInput

__all__ = ["OTPAdminAuthenticationForm"]


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

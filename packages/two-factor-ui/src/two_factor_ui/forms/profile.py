"""The confirmation asked before two-factor authentication is turned off."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["DisableForm"]


class DisableForm(forms.Form):
    understand = forms.BooleanField(
        label=_("Yes, I am sure"),
        help_text=_(
            "All your devices and backup codes will be removed. Your account will be "
            "protected by your password alone."
        ),
    )

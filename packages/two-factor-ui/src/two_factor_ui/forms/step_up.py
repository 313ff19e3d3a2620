"""The step-up page's password form: the password as the factor a page asked for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

__all__ = ["PasswordStepUpForm"]


class PasswordStepUpForm(forms.Form):
    """Checks the signed-in user's password through the authentication backends.

    Going through ``authenticate()`` keeps the project's backends and their
    ``user_login_failed`` handling (lock-out packages) in charge.
    """

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    error_messages = {"invalid": _("That is not your password. Please try again.")}

    #: Typed by the user (the page shows a "Verify" button).
    typed = True

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            user = self.request.user
            found = authenticate(
                self.request, **{user.USERNAME_FIELD: user.get_username(), "password": password}
            )
            if found is None or found.pk != user.pk:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return cleaned

"""A set-up step for ExampleDevice, so that UIs can be tested with this plugin.

On first display a key goes into ``state``; the user proves it by typing the
HOTP code for counter 0 (tests compute it from ``state``).
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms

from otp_core import oath
from otp_core.setup import SetupStepForm
from otp_core.uri import build_uri


class ExampleSetupForm(SetupStepForm):
    title = "Example codes"

    token = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not isinstance(self.state.get("example_key"), str):
            self.state["example_key"] = secrets.token_hex(20)

    def get_context(self) -> dict[str, Any]:
        key = self.state["example_key"]
        return {
            "secret_key": key,
            "otpauth_url": build_uri(
                "hotp", bytes.fromhex(key), self.user.get_username(), issuer="example"
            ),
        }

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if oath.verify_hotp(bytes.fromhex(self.state["example_key"]), token, 0, window=0) is None:
            raise forms.ValidationError("Invalid code.", code="invalid_token")
        return token

    def save(self) -> Any:
        from .models import ExampleDevice

        device = ExampleDevice.objects.create(
            user=self.user, name="Example", key=self.state.pop("example_key"), counter=1
        )
        return device

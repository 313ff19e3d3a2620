"""Setting up an e-mail device: give an address and get a code, then type the code.

The device is created unconfirmed in the first step and confirmed only in the
second, once the mailed code matched through otp-core's verification path.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from otp_core.refusal_messages import THROTTLED_MESSAGE
from otp_core.setup import SetupStepForm
from otp_core.setup_challenge import ChallengeSetupMixin, ConfirmCodeStep

from .addresses import validate_setup_address
from .models import EmailDevice

__all__ = ["EmailAddressStep", "EmailConfirmStep"]

STATE_KEY = "otp_email_device"

ERRORS = {
    "delivery_failed": _(
        "The code could not be sent. Please check the address or try again later."
    ),
    "cooldown": _("A code was sent a moment ago. Please wait before asking for another."),
    "no_pending": _("Please start again: enter your e-mail address first."),
    "invalid_token": _("Invalid code. Please make sure you entered it correctly."),
    "throttled": THROTTLED_MESSAGE,
    "locked_out": _("Too many failed attempts. Please start again later."),
}


class _EmailSetup(ChallengeSetupMixin):
    device_model = "otp_core_email.EmailDevice"
    state_key = STATE_KEY
    error_messages = ERRORS


class EmailAddressStep(_EmailSetup, SetupStepForm):
    """Step 1: the address to send codes to; a code is sent when it is valid."""

    title = _("E-mail address")

    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        validators=[validate_setup_address],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = getattr(self.user, "email", "") or ""
        self.challenge: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        address = cleaned.get("email")
        if not address or self.errors:
            return cleaned

        def prepare(device: EmailDevice | None) -> EmailDevice:
            if device is None:
                return EmailDevice(
                    user=self.user, name=str(_("E-mail")), confirmed=False, email=address
                )
            device.email = address
            return device

        self.challenge = self.send_code(prepare)
        return cleaned


class EmailConfirmStep(_EmailSetup, ConfirmCodeStep):
    """Step 2: the code from the mail; a match confirms the device."""

    title = _("Confirm the code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = _("Code from the e-mail")
        device = self.pending_device()
        if device is not None:
            # Say where the code went, in any UI that renders the field's help text.
            self.fields["otp_token"].help_text = _("We sent it to %(address)s.") % {
                "address": device.masked_recipient()
            }

    def get_context(self) -> dict[str, Any]:
        device = self.pending_device()
        return {"masked_address": device.masked_recipient() if device else ""}

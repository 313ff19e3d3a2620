"""Setting up a phone: number and method (a code is sent), then the code.

The device is created unconfirmed in the first step and confirmed only once
the sent code matched through otp-core's verification path. A UI keeps the
``state`` dict between the steps; ``state["name"]`` names the device.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from otp_core.refusal_messages import THROTTLED_MESSAGE
from otp_core.setup import SetupStepForm
from otp_core.setup_challenge import ChallengeSetupMixin, ConfirmCodeStep

from .gateways import configured
from .models import PhoneDevice
from .numbers import to_e164, validate_setup_number

__all__ = ["PhoneConfirmStep", "PhoneNumberField", "PhoneNumberStep"]

STATE_KEY = "otp_phone_device"

ERRORS = {
    "delivery_failed": _("The code could not be sent. Please check the number or try again later."),
    "cooldown": _("A code was sent a moment ago. Please wait before asking for another."),
    "no_pending": _("Please start again: enter your phone number first."),
    "invalid_token": _("Invalid code. Please make sure you entered it correctly."),
    "throttled": THROTTLED_MESSAGE,
    "locked_out": _("Too many failed attempts. Please start again later."),
}


class PhoneNumberField(forms.CharField):
    """A phone number typed any usual way; cleaned to E.164.

    Only numbers codes may be sent to (see ``validate_setup_number``).
    """

    widget = forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return value
        value = to_e164(value)
        validate_setup_number(value)
        return value


def available_methods() -> list[tuple[str, Any]]:
    """The methods whose gateway is configured."""
    return [(key, label) for key, label in PhoneDevice.METHODS if configured(key)]


class _PhoneSetup(ChallengeSetupMixin):
    device_model = "otp_core_phone.PhoneDevice"
    state_key = STATE_KEY
    error_messages = ERRORS


class PhoneNumberStep(_PhoneSetup, SetupStepForm):
    """Step 1: number and method; a code is sent when both are valid."""

    title = _("Phone number")

    number = PhoneNumberField(
        label=_("Phone number"),
        help_text=_("With the country code, e.g. +31 6 12345678."),
    )
    method = forms.ChoiceField(label=_("Send the code by"), choices=(), widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = available_methods()
        self.fields["method"].choices = choices
        if choices:  # a text message unless the user asks for a call
            self.fields["method"].initial = choices[0][0]
        self.challenge: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        number, method = cleaned["number"], cleaned["method"]

        def prepare(device: PhoneDevice | None) -> PhoneDevice:
            if device is None:
                device = PhoneDevice(user=self.user, confirmed=False)
            # A reused pending device takes this set-up's name.
            device.name = str(self.state.get("name") or "default")
            device.number, device.method = number, method
            return device

        self.challenge = self.send_code(prepare)
        return cleaned


class PhoneConfirmStep(_PhoneSetup, ConfirmCodeStep):
    """Step 2: the code that was sent; a match confirms the device."""

    title = _("Confirm the code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        device = self.pending_device()
        if device is not None:
            # Say where the code went, in any UI that renders the field's help text.
            sent = _("We called %(number)s.") if device.method == device.CALL else None
            sent = sent or _("We sent it to %(number)s by text message.")
            self.fields["otp_token"].help_text = sent % {"number": device.masked_number()}

    def get_context(self) -> dict[str, Any]:
        device = self.pending_device()
        return {"masked_number": device.masked_number() if device else ""}

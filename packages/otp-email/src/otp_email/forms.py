"""Setting up an e-mail device: give an address and get a code, then type the code.

The device is created unconfirmed in the first step and confirmed only in the
second, once the mailed code matched through otp-core's verification path.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from otp_core.challenges import ChallengeNotAllowed, issue_challenge
from otp_core.forms import refusal_error
from otp_core.setup import SetupStepForm
from otp_core.verification import verify

from .models import EmailDevice

__all__ = ["EmailAddressStep", "EmailConfirmStep", "pending_device"]

STATE_KEY = "otp_email_device"

ERRORS = {
    "delivery_failed": _(
        "The code could not be sent. Please check the address or try again later."
    ),
    "cooldown": _("A code was sent a moment ago. Please wait before asking for another."),
    "no_pending": _("Please start again: enter your e-mail address first."),
    "invalid_token": _("Invalid code. Please make sure you entered it correctly."),
    "throttled": _("Too many failed attempts. Please wait %(seconds)d seconds and try again."),
    "locked_out": _("Too many failed attempts. Please start again later."),
}


def pending_device(user: Any, state: dict[str, Any]) -> EmailDevice | None:
    """The unconfirmed device this set-up is working on, if it still exists."""
    pk = state.get(STATE_KEY)
    if pk is None:
        return None
    return EmailDevice.objects.filter(pk=pk, user=user, confirmed=False).first()


class EmailAddressStep(SetupStepForm):
    """Step 1: the address to send codes to; a code is sent when it is valid."""

    title = _("E-mail address")

    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
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
        try:
            # A failed delivery rolls back the new device too: nothing half made stays.
            with transaction.atomic():
                device = pending_device(self.user, self.state)
                if device is None:
                    device = EmailDevice(
                        user=self.user, name=str(_("E-mail")), confirmed=False, email=address
                    )
                    device.save()
                elif device.email != address:
                    device.email = address
                    device.save(update_fields=["email"])
                self.challenge = issue_challenge(device, request=self.request)
        except ChallengeNotAllowed:
            raise forms.ValidationError(ERRORS["cooldown"], code="cooldown") from None
        except Exception:
            raise forms.ValidationError(ERRORS["delivery_failed"], code="delivery_failed") from None
        self.state[STATE_KEY] = device.pk
        return cleaned


class EmailConfirmStep(SetupStepForm):
    """Step 2: the code from the mail; a match confirms the device."""

    title = _("Confirm the code")

    otp_token = forms.CharField(
        label=_("Code from the e-mail"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        device = pending_device(self.user, self.state)
        if device is not None:
            # Say where the code went, in any UI that renders the field's help text.
            self.fields["otp_token"].help_text = _("We sent it to %(address)s.") % {
                "address": device.masked_recipient()
            }

    def get_context(self) -> dict[str, Any]:
        device = pending_device(self.user, self.state)
        return {"masked_address": device.masked_recipient() if device else ""}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        device = pending_device(self.user, self.state)
        if device is None:
            raise forms.ValidationError(ERRORS["no_pending"], code="no_pending")
        result = verify(device, cleaned["otp_token"].strip(), request=self.request)
        if not result.accepted:
            raise refusal_error(result, ERRORS)
        self.device = device
        return cleaned

    def save(self) -> EmailDevice:
        device = self.device
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        self.state.pop(STATE_KEY, None)
        return device

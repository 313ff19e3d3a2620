"""Forms that ask for a second factor: with the password, or after it."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .auth import devices_for_user
from .challenges import ChallengeNotAllowed
from .models import Device, VerifyNotAllowed
from .refusal_messages import THROTTLED_MESSAGE
from .verification import VerificationResult, verify
from .widgets import OneTimeCodeInput

__all__ = ["OTPAuthenticationForm", "OTPAuthenticationFormMixin", "OTPTokenForm"]

#: Shown when the user's account is locked, to every form that checks a code.
ACCOUNT_LOCKED_MESSAGE = _(
    "Two-factor sign-in is locked for this account after too many failed attempts. "
    "Please ask an administrator to unlock it."
)


class OTPAuthenticationFormMixin:
    """Shared logic: choose a device, maybe issue its challenge, check the token.

    After a successful ``clean_otp(user)`` the verified device is in
    ``user.otp_device``; the view then calls :func:`otp_core.login`.
    """

    otp_error_messages = {
        "token_required": _("Please enter your one-time code."),
        "device_required": _("Please choose the device that gives your code."),
        "challenge_exception": _("The code could not be sent. Please try again later."),
        "not_interactive": _("This device does not need to send a code."),
        "challenge_message": _("%(message)s"),
        "invalid_token": _("Invalid code. Please make sure you entered it correctly."),
        "n_failed_attempts": THROTTLED_MESSAGE,
        "locked_out": _(
            "This device is locked after too many failed attempts. "
            "Please use another method or ask an administrator to unlock it."
        ),
        "account_locked": ACCOUNT_LOCKED_MESSAGE,
        "cooldown": _("A code was sent a moment ago. Please wait before asking for another."),
    }

    request: Any
    data: Any

    def _device_choices(self, user: Any) -> list[tuple[str, str]]:
        return [(d.persistent_id, d.display_label()) for d in devices_for_user(user)]

    def clean_after_credentials(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        """``clean()`` of a form that also takes the password: the signing-in
        user's devices become the choices, then the code is checked."""
        user = self.get_user()  # type: ignore[attr-defined]
        self.fields["otp_device"].widget.choices = self._device_choices(user)  # type: ignore[attr-defined]
        self.clean_otp(user)
        return cleaned

    def clean_otp(self, user: Any) -> None:
        """Check the second factor of ``user``; ``user.otp_device`` is None unless it passed."""
        if user is None:
            return
        # As in django-otp: a failed attempt leaves the attribute, set to None.
        user.otp_device = None
        token = (self.cleaned_data.get("otp_token") or "").strip()  # type: ignore[attr-defined]
        challenge = bool(self.data.get("otp_challenge"))
        if not challenge and not token:
            raise forms.ValidationError(
                self.otp_error_messages["token_required"], code="token_required"
            )
        device = self._chosen_device(user)
        if challenge:
            self._handle_challenge(device)
        else:
            user.otp_device = self._verify(device, user, token)

    def _chosen_device(self, user: Any) -> Device | None:
        """The device the code is for: the one chosen, or the user's only device.

        A code is never tried on every device (django-otp 1.7 does the same):
        a recovery code typed without a choice would put a failure on each
        other device. With several devices and none chosen, or a choice that
        is not one of the user's confirmed devices, the form asks for a
        device (``device_required``).
        """
        device_id = self.cleaned_data.get("otp_device")  # type: ignore[attr-defined]
        if device_id:
            device = Device.from_persistent_id(device_id)
            if device is not None and device.user_id == user.pk and device.confirmed:
                return device
        else:
            devices = devices_for_user(user)
            if len(devices) == 1:
                return devices[0]
            if not devices:
                return None
        raise forms.ValidationError(
            self.otp_error_messages["device_required"], code="device_required"
        )

    def _handle_challenge(self, device: Device | None) -> None:
        if device is None:
            raise forms.ValidationError(
                self.otp_error_messages["device_required"], code="device_required"
            )
        if not device.is_interactive():
            raise forms.ValidationError(
                self.otp_error_messages["not_interactive"], code="not_interactive"
            )
        try:
            challenge = device.generate_challenge(getattr(self, "request", None))
        except ChallengeNotAllowed as exc:
            from . import budgets  # a refused send only: not loaded at start-up

            budget = budgets.refusal_message(exc.details)
            if budget is not None:
                raise forms.ValidationError(budget, code="send_budget") from None
            raise forms.ValidationError(
                self.otp_error_messages["cooldown"], code="cooldown"
            ) from None
        except Exception:
            raise forms.ValidationError(
                self.otp_error_messages["challenge_exception"], code="challenge_exception"
            ) from None
        # The challenge step never completes the form: the user must answer.
        raise forms.ValidationError(
            self.otp_error_messages["challenge_message"],
            code="challenge_message",
            params={"message": str(challenge) if challenge else ""},
        )

    def _verify(self, device: Device | None, user: Any, token: str) -> Device:
        """``device`` when it accepts ``token``; a form error otherwise.

        ``device`` is None only for a user without devices: nothing can accept.
        """
        request = getattr(self, "request", None)
        result = None
        if device is not None:
            result = verify(device, token, request=request)
            if result.accepted:
                return device
        messages = dict(
            self.otp_error_messages, throttled=self.otp_error_messages["n_failed_attempts"]
        )
        raise refusal_error(result, messages)


def _seconds_until(moment: Any) -> int:
    return max(1, math.ceil((moment - timezone.now()).total_seconds()))


def refusal_error(result: VerificationResult | None, messages: Any) -> forms.ValidationError:
    """The form error for a refused token: throttled, locked out, or just wrong.

    ``messages`` needs the keys ``invalid_token``, ``throttled`` (with a
    ``%(seconds)d`` placeholder) and ``locked_out``; ``account_locked`` is
    optional (:data:`ACCOUNT_LOCKED_MESSAGE` by default).
    """
    if result is not None and result.reason == VerifyNotAllowed.ACCOUNT_LOCKED.value:
        return forms.ValidationError(
            messages.get("account_locked", ACCOUNT_LOCKED_MESSAGE), code="account_locked"
        )
    if result is not None and result.reason == VerifyNotAllowed.LOCKED_OUT.value:
        return forms.ValidationError(messages["locked_out"], code="locked_out")
    if result is not None and result.details and "locked_until" in result.details:
        return forms.ValidationError(
            messages["throttled"],
            code="throttled",
            params={"seconds": _seconds_until(result.details["locked_until"])},
        )
    return forms.ValidationError(messages["invalid_token"], code="invalid_token")


class _OTPFields(forms.Form):
    otp_device = forms.ChoiceField(label=_("Device"), required=False, choices=())
    otp_token = forms.CharField(
        label=_("One-time code"),
        required=False,
        max_length=4096,
        widget=OneTimeCodeInput(),
    )
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)


class OTPAuthenticationForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Username, password and second factor in one form (django-otp's)."""

    # Choices depend on who signs in, so they are filled once the credentials
    # are known (see clean()); any persistent id is accepted and then checked.
    otp_device = forms.CharField(label=_("Device"), required=False, widget=forms.Select())
    otp_token = _OTPFields.base_fields["otp_token"]
    otp_challenge = _OTPFields.base_fields["otp_challenge"]

    def clean(self) -> dict[str, Any]:
        return self.clean_after_credentials(super().clean())


class OTPTokenForm(OTPAuthenticationFormMixin, _OTPFields):
    """Second factor for a user who is already logged in with a password."""

    def __init__(self, user: Any, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.fields["otp_device"].choices = self._device_choices(user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_otp(self.user)
        return cleaned

    def get_user(self) -> Any:
        return self.user

"""Set-up and sign-in forms: the user touches the key, which types an OTP.

Set-up takes one OTP: its prefix is the key's public id, and the service
named by ``OTP_YUBIKEY_SETUP_SERVICE`` must accept the OTP before the
:class:`RemoteYubikeyDevice` is saved (the service then refuses that OTP
again, so it cannot also sign in). Sign-in asks for the OTP in a plain text
input: the key types it and presses Enter, which submits the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from otp_core import signals
from otp_core.setup import DeviceVerificationForm, SetupStepForm

from .conf import yubikey_settings
from .models import RemoteYubikeyDevice, ValidationService, YubikeyDevice, normalize_otp
from .yubico_otp import MAX_LENGTH, InvalidOTP, split

__all__ = ["OTPInput", "YubikeySetupForm", "YubikeyVerificationForm"]


class OTPInput(forms.TextInput):
    """A text input for what a YubiKey types: no number pad, no autofill, no capitals."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "autocomplete": "off",
                "autocapitalize": "none",
                "autocorrect": "off",
                "spellcheck": "false",
                "autofocus": True,
                "inputmode": "text",
                "maxlength": str(MAX_LENGTH + 8),
                **(attrs or {}),
            }
        )


class YubikeySetupForm(SetupStepForm):
    """Touch the key once: its OTP names the key and proves it works."""

    title = _("Touch your YubiKey")
    template_name_fragment = "otp_yubikey/setup_step.html"

    otp = forms.CharField(
        label=_("YubiKey"),
        max_length=MAX_LENGTH + 8,
        help_text=_("Put the cursor here and touch the key's button."),
        widget=OTPInput(),
    )

    error_messages = {
        "malformed": _("This is not a YubiKey OTP. Touch the key once with the cursor here."),
        "no_public_id": _("This key types no public id, so it cannot be told apart."),
        "unavailable": _(
            "YubiKey set-up is not configured on this site (it has no validation service). "
            "Please choose another method or ask the site's administrator."
        ),
        "taken": _("This YubiKey is already registered."),
        "refused": _("The YubiKey could not be verified. Please touch it again."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device: RemoteYubikeyDevice | None = None

    def clean_otp(self) -> str:
        otp = normalize_otp(self.cleaned_data.get("otp"))
        # First: touching the key again cannot help on a site without a service.
        name = yubikey_settings.OTP_YUBIKEY_SETUP_SERVICE
        service = (
            ValidationService.objects.filter(name=name).first() if isinstance(name, str) else None
        )
        if service is None:
            raise forms.ValidationError(self.error_messages["unavailable"], code="unavailable")
        try:
            public_id, _encrypted = split(otp)
        except InvalidOTP:
            raise forms.ValidationError(
                self.error_messages["malformed"], code="malformed"
            ) from None
        if not public_id:
            raise forms.ValidationError(self.error_messages["no_public_id"], code="no_public_id")
        if (
            RemoteYubikeyDevice.objects.filter(service=service, public_id=public_id).exists()
            or YubikeyDevice.objects.filter(public_id=public_id).exists()
        ):
            raise forms.ValidationError(self.error_messages["taken"], code="taken")
        device = RemoteYubikeyDevice(
            user=self.user,
            name=str(self.state.get("name") or _("YubiKey")),
            service=service,
            public_id=public_id,
            confirmed=True,
        )
        if not device._match(otp):
            raise forms.ValidationError(self.error_messages["refused"], code="refused")
        self.device = device
        return otp

    def save(self) -> RemoteYubikeyDevice | None:
        """Save the checked key and announce it (``device_added``: the owner is e-mailed)."""
        if self.device is None:
            return None
        self.device.save()
        signals.device_added.send(type(self.device), device=self.device, request=self.request)
        return self.device


class YubikeyVerificationForm(DeviceVerificationForm):
    """The sign-in step of a YubiKey: the OTP it types, through otp-core's one path."""

    otp_token = forms.CharField(
        label=_("YubiKey"),
        max_length=MAX_LENGTH + 8,
        help_text=_("Touch your YubiKey's button; it types the code and submits the form."),
        widget=OTPInput(),
    )

    error_messages = {
        **DeviceVerificationForm.error_messages,
        "invalid_token": _("The YubiKey code was not accepted. Please touch the key again."),
    }

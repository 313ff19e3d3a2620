"""The forms of the set-up wizard, the sign-in step and the key list (two-factor-ui hooks).

No form trusts what the browser's script says: the set-up step completes the
registration itself (:func:`~otp_webauthn.ceremonies.complete_registration`)
and the sign-in step checks the assertion through
:func:`~otp_webauthn.ceremonies.complete_second_factor`.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from otp_core.setup import DeviceVerificationForm, SetupStepForm

from .ceremonies import authentication_challenge, complete_registration, complete_second_factor
from .conf import setting
from .errors import CeremonyError
from .models import WebAuthnDevice

__all__ = ["KeyNameForm", "WebAuthnSetupForm", "WebAuthnVerificationForm"]


def _name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Name of the key"),
        max_length=64,
        initial=_("Security key"),
        help_text=_("So you can tell your keys apart, e.g. “Blue key” or “Laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-otp-webauthn-name": ""}),
    )


class WebAuthnSetupForm(SetupStepForm):
    """Name the key, and register it with the button.

    The script asks ``register-begin`` for the options, lets the browser make
    the credential and posts its ``toJSON()`` in the hidden ``credential``
    field with this form; the form completes the registration itself
    (:func:`~otp_webauthn.ceremonies.complete_registration`: challenge,
    origin, RP ID, flags, attestation), so nothing the script says is taken
    on trust. A registration with "none" attestation signs no challenge, so
    it is not counted as a verification of the session
    (``proves_possession = False``).
    """

    title = _("Register your security key or passkey")
    template_name_fragment = "otp_webauthn/setup_step.html"
    proves_possession = False
    #: The fragment's "Register security key" posts the form: no "Next" beside it.
    typed = False

    name = _name_field()
    credential = forms.CharField(
        required=False,
        widget=forms.HiddenInput(attrs={"data-otp-webauthn-credential": ""}),
    )

    error_messages = {
        "not_registered": _(
            "Your security key is not registered yet. Press “Register security key” "
            "and follow your browser's prompts."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["credential"].max_length = int(setting("OTP_WEBAUTHN_MAX_BODY_SIZE"))
        self.new_device: WebAuthnDevice | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        raw = (cleaned.get("credential") or "").strip()
        if not raw or self.request is None:
            raise forms.ValidationError(
                self.error_messages["not_registered"], code="not_registered"
            )
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            raise forms.ValidationError(CeremonyError("malformed").message, code="malformed")
        body["name"] = cleaned.get("name", "")
        try:
            self.new_device = complete_registration(self.request, self.user, body)
        except CeremonyError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return cleaned

    def save(self) -> WebAuthnDevice | None:
        """The key registered by :meth:`clean` (which announced it: ``device_added``)."""
        return self.new_device


class WebAuthnVerificationForm(DeviceVerificationForm):
    """The sign-in step: the button signs this page's options, the form posts the assertion.

    The options are issued (and their challenge kept in the session) each
    time the step is shown; the assertion goes through otp-core's one
    verification path. ``form.device`` becomes the key that signed.
    """

    template_name_fragment = "otp_webauthn/verify.html"
    #: Not a typed code: the UI shows no code prompt, "Verify" or "send a new code".
    typed = False

    otp_token = None
    assertion = forms.CharField(
        required=False,
        widget=forms.HiddenInput(attrs={"data-otp-webauthn-assertion": ""}),
    )

    error_messages = {
        **DeviceVerificationForm.error_messages,
        "missing": _("Press “Use your security key” and follow your browser's prompts."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assertion"].max_length = int(setting("OTP_WEBAUTHN_MAX_BODY_SIZE"))

    def get_context(self) -> dict[str, Any]:
        if self.request is None:
            return {}
        challenge = authentication_challenge(self.request, self.device.user, [self.device])
        return {"webauthn_options": challenge.data}

    def clean(self) -> dict[str, Any]:
        cleaned = forms.Form.clean(self)
        if self.errors:
            return cleaned
        raw = (cleaned.get("assertion") or "").strip()
        if not raw or self.request is None:
            raise forms.ValidationError(self.error_messages["missing"], code="missing")
        try:
            self.device = complete_second_factor(
                self.request, self.device.user, raw, device=self.device
            )
        except CeremonyError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return cleaned


class KeyNameForm(forms.Form):
    """Rename a key on the profile page."""

    name = _name_field()

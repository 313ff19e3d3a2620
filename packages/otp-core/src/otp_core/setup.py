"""The forms through which a UI sets up and verifies any plugin's devices.

A plugin lists its setup steps in ``Plugin.setup_forms`` as dotted paths of
:class:`SetupStepForm` subclasses. A UI (two-factor-ui's setup wizard, or a
site's own view) shows them in order, passing the same ``state`` dict to every
step; the last step's :meth:`SetupStepForm.save` returns the confirmed device.
For verification, ``Plugin.verify_form`` names a :class:`DeviceVerificationForm`
subclass; code-based plugins need none and get this default one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .refusal_messages import THROTTLED_MESSAGE
from .verification import verify
from .widgets import OneTimeCodeInput

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Device

__all__ = ["DeviceVerificationForm", "SetupStepForm"]


class SetupStepForm(forms.Form):
    """One step of setting up a device.

    ``state`` is a JSON-serialisable dict the UI keeps between the steps of
    one set-up (in the session: it may hold a pending secret, so it is never
    sent to the browser except through what the step renders). A step fills
    it in ``__init__`` (e.g. a new key on first display) or in :meth:`save`.
    """

    #: Fragment template rendered inside the UI's page, with ``form``, ``state``
    #: and :meth:`get_context` in its context.
    template_name_fragment: str = "otp_core/setup/step.html"
    #: Short title of the step for headings and progress indicators.
    title: Any = _("Set up")
    #: Does completing the last step prove the user holds the device (a code
    #: it made)? Then a UI counts it as a verification of the session. False
    #: when it proves nothing the verification path would accept, e.g. a
    #: WebAuthn registration with "none" attestation, which signs no challenge.
    proves_possession: bool = True
    #: Does the user submit this step with the UI's own "Next" button? False
    #: when the step's fragment brings its own action and a script posts the
    #: form (WebAuthn's "Register security key"): a UI then shows no "Next",
    #: so the page has one obvious action.
    typed: bool = True

    def __init__(
        self,
        *args: Any,
        user: Any,
        request: HttpRequest | None = None,
        state: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.state = state if state is not None else {}

    def get_context(self) -> dict[str, Any]:
        """Extra context for the fragment (a QR code, a secret to type in)."""
        return {}

    def save(self) -> Device | None:
        """Called once the form is valid. The last step returns the new device.

        The step that confirms a device sends :data:`otp_core.signals.device_added`
        (exactly once: the UI does not), which e-mails the user.
        """
        return None


class DeviceVerificationForm(forms.Form):
    """Ask for the answer to one device and check it through the shared path.

    The default suits every code-based device; plugins whose answer is not a
    typed code (WebAuthn's signed assertion) subclass it and change the field
    and the fragment template.
    """

    template_name_fragment: str = "otp_core/verify/token.html"
    #: Is the answer a code the user types? False when a script posts it (a
    #: WebAuthn assertion): a UI then shows no code prompt, no "Verify" and no
    #: "send a new code" button; the fragment brings its own control.
    typed: bool = True

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=64,
        widget=OneTimeCodeInput(),
    )

    error_messages = {
        "invalid_token": _("Invalid code. Please make sure you entered it correctly."),
        "throttled": THROTTLED_MESSAGE,
        "locked_out": _(
            "This device is locked after too many failed attempts. "
            "Please use another method or ask an administrator to unlock it."
        ),
        "account_locked": _(
            "Two-factor sign-in is locked for this account after too many failed attempts. "
            "Please ask an administrator to unlock it."
        ),
    }

    def __init__(
        self, *args: Any, device: Device, request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        self.request = request

    def get_context(self) -> dict[str, Any]:
        return {}

    def get_answer(self) -> str:
        """The token to verify, from the cleaned data."""
        return self.cleaned_data.get("otp_token", "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        result = verify(self.device, self.get_answer().strip(), request=self.request)
        if not result.accepted:
            from .forms import refusal_error

            raise refusal_error(result, self.error_messages)
        return cleaned

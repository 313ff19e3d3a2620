"""The set-up step shared by OATH devices: show a new key, check one code.

On first display a random key is put, encrypted with
:func:`otp_core.crypto.encrypt`, in the set-up ``state``; the step shows
it as a QR code, as grouped base32 (``secret_key``) and as an ``otpauth://``
URI. The user answers with a code from the app; the code is checked by the
device model's own matching rule on the not yet saved device, so that
:meth:`save` stores a confirmed device whose replay guard already covers the
set-up code.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from . import crypto, signals
from .models.oath import hex_key_validator, random_hex_key
from .setup import SetupStepForm
from .widgets import OneTimeCodeInput

__all__ = ["ENCRYPTED_KEY", "OATHSetupForm", "pending_key"]

#: Where ``state`` keeps the pending key: encrypted like a saved device's key,
#: since the session table is no place for a secret in clear.
ENCRYPTED_KEY = "key_encrypted"


def pending_key(pending: Any) -> str | None:
    """The hex key of a set-up in progress (``state[form.state_key]``), decrypted, or None."""
    value = pending.get(ENCRYPTED_KEY) if isinstance(pending, dict) else None
    if not isinstance(value, str):
        return None
    try:
        key = crypto.decrypt(value)
    except crypto.DecryptionError:
        return None  # written under a key since removed, or tampered with
    return key if OATHSetupForm._valid_key(key) else None


class OATHSetupForm(SetupStepForm):
    """Base of the TOTP and HOTP set-up steps; subclasses name the model."""

    #: ``"app_label.ModelName"`` of the device model.
    device_model: ClassVar[str] = ""
    #: Key under which this step keeps its pending key in ``state``.
    state_key: ClassVar[str] = "oath"
    #: Default device name.
    default_name: ClassVar[Any] = _("Authenticator app")

    title = _("Scan the QR code")

    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("Enter the code your app shows for this account."),
        widget=OneTimeCodeInput(),
    )

    error_messages = {
        "invalid_token": _("Invalid code. Please check the app and try again."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending: Any = self.state.get(self.state_key)
        key = self._pending_key(pending)
        params = self.initial_params()
        if (
            key is None
            or not isinstance(pending, dict)
            or set(pending) - {ENCRYPTED_KEY} != set(params)
        ):
            # First display, or a damaged or foreign entry: a new key.
            key = random_hex_key()
            pending = {ENCRYPTED_KEY: crypto.encrypt(key), **params}
            self.state[self.state_key] = pending
        fields = {name: value for name, value in pending.items() if name != ENCRYPTED_KEY}
        self.device = self.build_device({**fields, "key": key})

    def _pending_key(self, pending: Any) -> str | None:
        return pending_key(pending)

    @staticmethod
    def _valid_key(value: Any) -> bool:
        try:
            hex_key_validator(value)
        except Exception:
            return False
        return True

    def initial_params(self) -> dict[str, Any]:
        """Model fields fixed at first display and kept in ``state`` (e.g. digits)."""
        return {}

    def get_model(self) -> Any:
        return apps.get_model(self.device_model)

    def build_device(self, pending: dict[str, Any]) -> Any:
        """The unsaved device this set-up will create."""
        model = self.get_model()
        fields = {name: value for name, value in pending.items() if name != "key"}
        return model(
            user=self.user,
            name=str(self.default_name),
            key=pending["key"],
            confirmed=True,
            **fields,
        )

    def get_context(self) -> dict[str, Any]:
        return {
            "qr_code": self.device.qr_code(),
            "secret_key": self.device.secret_key,
            "otpauth_url": self.device.config_url,
            "device": self.device,
        }

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data.get("token", "").split())
        # The model's own rule: it also moves the replay guard past this code.
        if not self.device._match(token):
            raise forms.ValidationError(self.error_messages["invalid_token"], code="invalid_token")
        return token

    def save(self) -> Any:
        self.device.save()
        self.state.pop(self.state_key, None)
        signals.device_added.send(type(self.device), device=self.device, request=self.request)
        return self.device

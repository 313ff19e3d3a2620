"""Forms a UI shows: the set-up step that hands out codes, and code entry."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from otp_core import crypto
from otp_core.setup import DeviceVerificationForm, SetupStepForm
from otp_core.signals import backup_codes_generated
from otp_core.verification import locked

from .codes import MAX_CODE_LENGTH, format_code
from .models import StaticDevice

__all__ = ["BackupCodeVerificationForm", "BackupCodesSetupForm"]

#: Key of the pending device's persistent id in the set-up ``state``.
STATE_KEY = "otp_static_device"
#: Key of the pending codes in the set-up ``state``, encrypted by otp-core,
#: with the fingerprint of the set they belong to.
CODES_KEY = "otp_static_codes"
#: Name of devices created here; django-two-factor-auth's name, which its
#: documented ``user_verified`` receiver checks.
DEVICE_NAME = "backup"


def _fingerprint(device: StaticDevice) -> str:
    """Identifies the current code set (from the stored hashes, not the codes)."""
    hashes = sorted(device.token_set.values_list("token_hash", flat=True))
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()


class BackupCodesSetupForm(SetupStepForm):
    """Generate a set of backup codes, show it, and ask the user to confirm.

    The codes are generated when the step is first rendered
    (:meth:`get_context`), on an unconfirmed device. Until the user confirms,
    the set's plaintexts stay in the set-up ``state`` encrypted with otp-core's
    key, so a refused confirmation (the box not ticked) shows the *same* codes
    again: the set the user wrote down is the set that will work. A new set is
    made only when the user asks for one (a new set-up). :meth:`save` confirms
    the device, forgets the plaintexts and removes the user's older backup
    codes, which stay valid until then.
    """

    template_name_fragment = "otp_static/setup_codes.html"
    title = _("Backup codes")

    stored = forms.BooleanField(
        label=_("I have stored these codes"),
        error_messages={"required": _("Please confirm that you have stored these codes.")},
    )
    # Which code set was on the page, so that a set replaced in another window
    # is not confirmed by mistake.
    codes_fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)

    error_messages = {
        "replaced": _(
            "The codes were replaced in the meantime (in another window?). "
            "Please store the new codes below and confirm again."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = self._pending_device()
        self.state[STATE_KEY] = self.device.persistent_id
        self.codes: list[str] | None = None

    def _pending_device(self) -> StaticDevice:
        device = StaticDevice.from_persistent_id(str(self.state.get(STATE_KEY, "")))
        if (
            isinstance(device, StaticDevice)
            and device.user_id == self.user.pk
            and not device.confirmed
        ):
            return device
        device = StaticDevice.objects.filter(user=self.user, confirmed=False).order_by("pk").first()
        if device is None:
            device = StaticDevice.objects.create(user=self.user, name=DEVICE_NAME, confirmed=False)
        return device

    def get_context(self) -> dict[str, Any]:
        """Generate the codes (once per form instance) for the page that shows them.

        A valid submitted form shows none: its set is the one the user stored.
        """
        if self.is_bound and self.is_valid():
            return {"codes": [], "device": self.device}
        if self.codes is None:
            fingerprint = _fingerprint(self.device)
            self.codes = self._pending_codes(fingerprint)
            if self.codes is None:
                self.codes = self.device.generate_tokens()
                fingerprint = _fingerprint(self.device)
                self.state[CODES_KEY] = {
                    "device": self.device.persistent_id,
                    "fingerprint": fingerprint,
                    "codes": crypto.encrypt(json.dumps(self.codes)),
                }
            self.fields["codes_fingerprint"].initial = fingerprint
            if self.is_bound:
                # A re-rendered form must carry the shown set's fingerprint.
                self.data = self.data.copy()
                self.data[self.add_prefix("codes_fingerprint")] = fingerprint
        return {
            "codes": [format_code(code) for code in self.codes],
            "device": self.device,
        }

    def _pending_codes(self, fingerprint: str) -> list[str] | None:
        """The plaintexts of the device's current set (``fingerprint``), if this set-up made it."""
        pending = self.state.get(CODES_KEY)
        if not isinstance(pending, dict) or pending.get("device") != self.device.persistent_id:
            return None
        if not self.device.remaining or pending.get("fingerprint") != fingerprint:
            return None  # replaced or used up since: a new set is needed
        try:
            codes = json.loads(crypto.decrypt(str(pending.get("codes", ""))))
        except (crypto.DecryptionError, ValueError):
            return None
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            return None
        return codes

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not self.device.remaining or cleaned.get("codes_fingerprint") != _fingerprint(
            self.device
        ):
            raise forms.ValidationError(self.error_messages["replaced"], code="replaced")
        return cleaned

    def save(self) -> StaticDevice:
        """Confirm the new set and delete the user's older backup codes."""
        with transaction.atomic():
            device = locked(self.device)
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            StaticDevice.objects.filter(user=self.user).exclude(pk=device.pk).delete()
            backup_codes_generated.send(
                StaticDevice,
                user=self.user,
                device=device,
                count=device.remaining,
                request=self.request,
            )
        self.state.pop(STATE_KEY, None)
        self.state.pop(CODES_KEY, None)
        self.device = device
        return device


class BackupCodeVerificationForm(DeviceVerificationForm):
    """Code entry for backup codes: letters as well as digits, no autofill."""

    otp_token = forms.CharField(
        label=_("Backup code"),
        max_length=MAX_CODE_LENGTH + 16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

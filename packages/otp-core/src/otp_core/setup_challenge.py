"""Set-up steps shared by devices that send a code (e-mail, text message, call).

The first step creates the device unconfirmed and sends a code; the second
checks the code through the shared verification path and only then confirms
the device. A failed delivery rolls the new device back: nothing half made
stays behind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from django import forms
from django.apps import apps
from django.db import router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import signals
from .challenges import ChallengeNotAllowed, issue_challenge
from .conf import otp_settings
from .forms import refusal_error
from .models import Device
from .setup import SetupStepForm
from .verification import verify
from .widgets import OneTimeCodeInput

__all__ = ["ChallengeSetupMixin", "ConfirmCodeStep", "resend_status"]


class ChallengeSetupMixin:
    """What both steps know: which unconfirmed device this set-up works on.

    Subclasses set :attr:`device_model`, :attr:`state_key` and
    :attr:`error_messages` (keys ``delivery_failed``, ``cooldown``,
    ``no_pending``, ``invalid_token``, ``throttled``, ``locked_out``).
    """

    device_model: ClassVar[str] = ""
    state_key: ClassVar[str] = ""
    error_messages: ClassVar[dict[str, Any]] = {}

    user: Any
    request: Any
    state: dict[str, Any]

    def pending_device(self) -> Any:
        """The user's one unconfirmed device of this kind, if there is one.

        Not only the one in ``state``: a restarted set-up (a new session, a
        GET that resets the wizard, "use another number") finds and reuses
        the device the last attempt left, so its cooldown still holds. Other
        pending devices of this kind and those older than
        ``OTP_PENDING_DEVICE_TTL`` (or of unknown age) are deleted here.
        """
        model = apps.get_model(self.device_model)
        pending = model._default_manager.filter(user=self.user, confirmed=False)
        ttl = otp_settings.OTP_PENDING_DEVICE_TTL
        # No created_at (a row imported from django-otp) counts as expired.
        expired = timezone.now() - timedelta(seconds=ttl)
        pending.filter(Q(created_at__lt=expired) | Q(created_at__isnull=True)).delete()
        candidates = list(pending.order_by("-created_at", "-pk"))
        if not candidates:
            return None
        pk = self.state.get(self.state_key)
        chosen = next((d for d in candidates if str(d.pk) == str(pk)), candidates[0])
        stale = [d.pk for d in candidates if d.pk != chosen.pk]
        if stale:
            pending.filter(pk__in=stale).delete()
        return chosen

    def send_code(self, prepare: Callable[[Any], Device]) -> Any:
        """Create or update the pending device with ``prepare`` and send its code.

        ``prepare`` gets the pending device (or None) and returns the device
        to save. Returns the challenge; a refusal or a failed delivery becomes
        a form error.
        """
        from . import budgets  # a set-up that sends: not loaded at start-up

        model = apps.get_model(self.device_model)
        alias = router.db_for_write(model)
        try:
            # The budget locks (MariaDB) are held until this transaction ended.
            with budgets.lock_scope(alias), transaction.atomic(using=alias):
                device = prepare(self.pending_device())
                device.save()
                challenge = issue_challenge(device, request=self.request)
        except ChallengeNotAllowed as exc:
            budget = budgets.refusal_message(exc.details)
            if budget is not None:
                raise forms.ValidationError(budget, code="send_budget") from None
            raise forms.ValidationError(self.error_messages["cooldown"], code="cooldown") from None
        except Exception:
            raise forms.ValidationError(
                self.error_messages["delivery_failed"], code="delivery_failed"
            ) from None
        self.state[self.state_key] = device.pk
        return challenge


class ConfirmCodeStep(ChallengeSetupMixin, SetupStepForm):
    """The code that was sent; a match confirms the device."""

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=OneTimeCodeInput(),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        device = self.pending_device()
        if device is None:
            raise forms.ValidationError(self.error_messages["no_pending"], code="no_pending")
        result = verify(device, cleaned["otp_token"].strip(), request=self.request)
        if not result.accepted:
            raise refusal_error(result, self.error_messages)
        self.device = device
        return cleaned

    def resend(self) -> Any:
        """Send the pending device a new code (a UI's "Send again" button).

        Through :meth:`send_code`, so the cooldown and the send budgets hold
        as for the first code; the new code replaces the old one. A refusal
        (no pending set-up, cooldown, budget, failed delivery) is a
        ``ValidationError`` whose message says why.
        """
        device = self.pending_device()
        if device is None:
            raise forms.ValidationError(self.error_messages["no_pending"], code="no_pending")
        return self.send_code(lambda pending: pending or device)

    def save(self) -> Any:
        device = self.device
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        self.state.pop(self.state_key, None)
        signals.device_added.send(type(device), device=device, request=self.request)
        return device


def resend_status(form: Any) -> dict[str, Any] | None:
    """Send a set-up step's code again; the status line a page shows.

    ``{"text": ..., "error": bool}``: that a new code went out, or why not
    (cooldown, budget, delivery); None for a step that sends nothing.
    """
    if not callable(getattr(form, "resend", None)):
        return None
    try:
        form.resend()
    except forms.ValidationError as refusal:
        return {"text": " ".join(refusal.messages), "error": True}
    return {"text": gettext("A new code was sent. Use the newest code."), "error": False}

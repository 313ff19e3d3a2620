"""The shared path that asks a device to generate a challenge.

It runs with the device row locked, so a cooldown holds across processes,
and saves what the device changed in the same transaction. A device that
sends a message (``budget_destination()``) also spends from the send budgets
of :mod:`otp_core.budgets`: checked and recorded in that transaction, so a
failed delivery (which rolls back) costs nothing and no race overspends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import router, transaction
from django.utils import timezone

from .verification import locked

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Challenge, Device

__all__ = ["ChallengeNotAllowed", "issue_challenge"]


class ChallengeNotAllowed(Exception):
    """The device refuses to generate a challenge now (cooldown, send budget).

    ``details["reason"]`` says why: e.g. ``COOLDOWN_DURATION_PENDING`` or
    :data:`otp_core.budgets.SEND_BUDGET_EXHAUSTED`; ``next_generation_at``
    when to try again.
    """

    def __init__(self, details: dict | None) -> None:
        super().__init__(str((details or {}).get("reason", "not allowed")))
        self.details = details or {}


def issue_challenge(device: Device, request: HttpRequest | None = None) -> Challenge | None:
    """Generate and deliver ``device``'s challenge; None if it has none."""
    if not device.is_interactive():
        return None
    from . import budgets  # only where codes are sent, not in every worker's start-up

    model = type(device)
    alias = router.db_for_write(model, instance=device)
    # The scope outlives the transaction: MariaDB's budget locks are released
    # only once the ledger row is committed (or rolled back).
    with budgets.lock_scope(alias), transaction.atomic(using=alias):
        current = locked(device)
        allowed, details = current.generate_is_allowed()
        if not allowed:
            raise ChallengeNotAllowed(details)
        target = budgets.target_for(current, request)
        if target is not None:
            try:
                budgets.serialise(target, alias)
            except budgets.BudgetBusy:
                raise ChallengeNotAllowed(
                    {
                        "reason": budgets.SEND_BUDGET_BUSY,
                        "next_generation_at": timezone.now()
                        + timedelta(seconds=budgets.LOCK_WAIT_SECONDS),
                    }
                ) from None
            refusal = budgets.refusal(target, alias)
            if refusal is not None:
                raise ChallengeNotAllowed(refusal)
            budgets.record(target, alias)
        challenge = current._challenge(request)
        fields = list(current.challenge_fields)
        if fields:
            current.save(update_fields=fields)
    for name in fields:
        setattr(device, name, getattr(current, name))
    return challenge

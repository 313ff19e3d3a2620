"""The shared path that asks a device to generate a challenge.

It runs with the device row locked, so a cooldown holds across processes,
and saves what the device changed in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import router, transaction

from .verification import locked

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Challenge, Device

__all__ = ["ChallengeNotAllowed", "issue_challenge"]


class ChallengeNotAllowed(Exception):
    """The device refuses to generate a challenge now (cooldown, throttle)."""

    def __init__(self, details: dict | None) -> None:
        super().__init__(str((details or {}).get("reason", "not allowed")))
        self.details = details or {}


def issue_challenge(device: Device, request: HttpRequest | None = None) -> Challenge | None:
    """Generate and deliver ``device``'s challenge; None if it has none."""
    if not device.is_interactive():
        return None
    model = type(device)
    with transaction.atomic(using=router.db_for_write(model, instance=device)):
        current = locked(device)
        allowed, details = current.generate_is_allowed()
        if not allowed:
            raise ChallengeNotAllowed(details)
        challenge = current._challenge(request)
        fields = list(current.challenge_fields)
        if fields:
            current.save(update_fields=fields)
    for name in fields:
        setattr(device, name, getattr(current, name))
    return challenge

"""The one path that checks a token.

In one transaction with the device row locked: is verification allowed
(throttle, lock-out)? does the token match? then the replay guard the device
applied, the throttle reset or increment and the last-use stamp are saved
together. Whatever the number of processes racing on one token, at most one
is accepted: PostgreSQL and MariaDB serialise on the row lock, SQLite on its
database write lock, which is taken before the row is read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connections, router, transaction
from django.utils import timezone

from . import signals

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Device

__all__ = ["VerificationResult", "locked", "verify"]

logger = logging.getLogger("otp_core")


@dataclass(frozen=True)
class VerificationResult:
    accepted: bool
    #: None when accepted; "mismatch", or a VerifyNotAllowed value.
    reason: str | None = None
    #: Details of a refusal (failure count, locked_until).
    details: dict[str, Any] | None = None

    def __bool__(self) -> bool:
        return self.accepted


def locked(device: Device) -> Device:
    """Fetch ``device`` again with its row locked for the current transaction."""
    model = type(device)
    alias = router.db_for_write(model, instance=device)
    manager = model._default_manager.db_manager(alias)
    if not connections[alias].features.has_select_for_update:
        # SQLite: a write takes the database lock now, so no other connection
        # can read-then-write this row before we commit.
        pk_name = model._meta.pk.attname
        manager.filter(pk=device.pk).update(**{pk_name: device.pk})
    return manager.select_for_update().get(pk=device.pk)


def _copy_state(source: Device, target: Device, fields: list[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


def verify(device: Device, token: str, *, request: HttpRequest | None = None) -> VerificationResult:
    """Check ``token`` against ``device``; the decision is final and recorded."""
    model = type(device)
    alias = router.db_for_write(model, instance=device)
    locked_out_now = False
    with transaction.atomic(using=alias):
        try:
            current = locked(device)
        except model.DoesNotExist:
            return VerificationResult(False, "mismatch")
        allowed, details = current.verify_is_allowed()
        if not allowed:
            # verify_is_allowed() gives details with a reason whenever it refuses.
            reason = details["reason"].value if details else "not_allowed"
            result = VerificationResult(False, str(reason), details)
            fields: list[str] = []
        elif isinstance(token, str) and current._match(token):
            current.throttle_reset(commit=False)
            current.last_used_at = timezone.now()
            fields = [*current.throttling_fields, "last_used_at", *current.verification_fields]
            result = VerificationResult(True)
        else:
            current.throttle_increment(commit=False)
            fields = list(current.throttling_fields)
            locked_out_now = current.is_locked_out
            result = VerificationResult(False, "mismatch")
        if fields:
            current.save(update_fields=fields)
    _copy_state(current, device, fields or list(current.throttling_fields))

    if result.accepted:
        signals.verification_succeeded.send(model, device=device, request=request)
    else:
        logger.info(
            "OTP verification refused for device %s: %s", device.persistent_id, result.reason
        )
        signals.verification_failed.send(
            model, device=device, request=request, reason=result.reason
        )
        if locked_out_now:
            logger.warning("OTP device %s is locked out", device.persistent_id)
            signals.device_locked_out.send(model, device=device)
    return result

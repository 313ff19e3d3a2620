"""The account-wide failure count: one lock for every device of a user.

Device throttling is per device, so a user with N devices would give an
attacker N allowances. :class:`~otp_core.models.AccountThrottle` counts
consecutive failed attempts on any confirmed device of the user; at
``OTP_ACCOUNT_LOCKOUT_FAILURES`` (NIST SP 800-63B 5.2.2: at most 100) every
device of the account refuses tokens until :func:`unlock` (``manage.py
otp_unlock``, the admin's action) clears it. A success before the limit resets
the count.

The verification path (:mod:`otp_core.verification`) calls these functions
inside its transaction, after it has locked the device row(s): device rows
first, then the account row, always in that order, so two verifications never
wait on each other in a circle. The row is created on the first failure only;
a success for a user without failures reads it and writes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from .conf import otp_settings
from .models import AccountThrottle, VerifyNotAllowed
from .models.throttling import doubling_delay_end

__all__ = [
    "database",
    "delay_refusal",
    "lock_refusal",
    "locked_row",
    "lockout_failures",
    "record_failure",
    "record_success",
    "unlock",
]

logger = logging.getLogger("otp_core")

_COUNT_FIELDS = ["failure_count", "last_failure_at", "locked_at"]


def lockout_failures() -> int:
    """``OTP_ACCOUNT_LOCKOUT_FAILURES``: failures that lock the account (0: never)."""
    return otp_settings.OTP_ACCOUNT_LOCKOUT_FAILURES


def database() -> str:
    """The database alias the account rows are written to."""
    return router.db_for_write(AccountThrottle)


def locked_row(user_id: Any, *, using: str) -> AccountThrottle | None:
    """The account row of ``user_id`` locked for this transaction, or None if none exists.

    Call it inside ``transaction.atomic()`` after locking the device row(s).
    On SQLite the device lock already holds the database write lock.
    """
    from .built_queries import db_value, model_rows

    value = db_value(AccountThrottle, "user", user_id, connections[using])

    def build() -> Any:
        manager = AccountThrottle._default_manager.db_manager(using)
        return manager.select_for_update().filter(user_id=user_id).order_by()

    rows = model_rows(("locked account row",), build, [value], using=using)
    return rows[0][0] if rows else None  # type: ignore[return-value]  # one row per user


def lock_refusal(row: AccountThrottle | None) -> dict[str, Any] | None:
    """Refusal details when the account is locked, else None."""
    if row is not None and row.locked_at is not None:
        return {"reason": VerifyNotAllowed.ACCOUNT_LOCKED, "failure_count": row.failure_count}
    return None


def delay_refusal(row: AccountThrottle | None) -> dict[str, Any] | None:
    """Refusal details while the account-wide doubling delay runs, else None.

    Only a code typed with no device chosen is held to it: such a code counts
    one failure on the account and none on the devices, so the account's own
    count (``OTP_THROTTLE_FACTOR * 2 ** (n - 1)`` seconds from the second
    failure on, as for a device) is what slows the next guess.
    """
    if row is None:
        return None
    until = doubling_delay_end(
        row.failure_count, row.last_failure_at, otp_settings.OTP_THROTTLE_FACTOR
    )
    if until is not None and timezone.now() < until:
        return {
            "reason": VerifyNotAllowed.N_FAILED_ATTEMPTS,
            "failure_count": row.failure_count,
            "locked_until": until,
        }
    return None


def record_failure(
    row: AccountThrottle | None, user_id: Any, *, using: str
) -> tuple[AccountThrottle, bool]:
    """Count one failed attempt; return the row and whether this failure locked it.

    ``row`` is what :func:`locked_row` returned in this transaction. When there
    was none, :func:`_ensure_row` makes it first, so that several first
    failures racing on one account all count on the one row. No increment is
    lost.
    """
    if row is None:
        _ensure_row(user_id, using=using)
        row = locked_row(user_id, using=using)
        if row is None:  # pragma: no cover - the upsert above made it
            raise RuntimeError("the account row could not be created")
    now = timezone.now()
    limit = lockout_failures()
    row.failure_count += 1
    row.last_failure_at = now
    newly_locked = row.locked_at is None and bool(limit) and row.failure_count >= limit
    if newly_locked:
        row.locked_at = now
    row.save(using=using, update_fields=_COUNT_FIELDS)
    return row, newly_locked


def _ensure_row(user_id: Any, *, using: str) -> None:
    """Insert the account row of ``user_id`` unless it exists, taking its row lock.

    An upsert (``ON CONFLICT DO UPDATE`` / ``ON DUPLICATE KEY UPDATE`` with a
    no-op update), not insert-then-catch: on PostgreSQL a racing insert waits
    for the first to commit and then locks the committed row; on MariaDB a
    failed plain insert would keep a shared lock on the row, and two such
    transactions asking for the row lock next deadlock.
    """
    options: dict[str, Any] = {"update_conflicts": True, "update_fields": ["user"]}
    if connections[using].features.supports_update_conflicts_with_target:
        options["unique_fields"] = ["user"]
    AccountThrottle._default_manager.db_manager(using).bulk_create(
        [AccountThrottle(user_id=user_id)], **options
    )


def record_success(row: AccountThrottle | None, *, using: str) -> None:
    """Reset the count after an accepted token; write nothing when there is nothing to reset."""
    if row is None or (row.failure_count == 0 and row.last_failure_at is None):
        return
    row.failure_count = 0
    row.last_failure_at = None
    row.save(using=using, update_fields=["failure_count", "last_failure_at"])


def unlock(user: Any) -> bool:
    """Clear the account lock and count of ``user``; True if the account was locked."""
    using = database()
    with transaction.atomic(using=using):
        row = locked_row(user.pk, using=using)
        if row is None:
            return False
        was_locked = row.locked_at is not None
        row.failure_count = 0
        row.last_failure_at = None
        row.locked_at = None
        row.save(using=using, update_fields=_COUNT_FIELDS)
    if was_locked:
        logger.info("OTP account of user %s was unlocked", user.pk)
    return was_locked

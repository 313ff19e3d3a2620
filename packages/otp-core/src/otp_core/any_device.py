"""A code checked against every device of a user, none chosen (django-otp's ``match_token``).

:func:`verify_any` locks all the rows together and accepts the code at most
once; a code no device accepts counts one failure, on the account. The
single-device path, :func:`otp_core.verification.verify`, does not load
this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from typing import TYPE_CHECKING

from django.db import router

from . import account_throttle, signals
from .verification import (
    VerificationResult,
    _announce_account_lock,
    _atomic,
    _check_one,
    _copy_state,
    _mismatch,
    _refusal,
    _refused,
    lock_order,
    locked,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import AccountThrottle, Device

__all__ = ["verify_any"]


def verify_any(
    devices: Iterable[Device], token: str, *, request: HttpRequest | None = None
) -> tuple[Device | None, VerificationResult]:
    """Check ``token`` against every one of a user's ``devices`` (no device chosen).

    Returns the device that accepted it, or None, and the result. All rows are
    locked together (devices in :func:`lock_order`, then the account), so the
    token is accepted at most once, by the first device that matches. A code
    that matches none counts exactly one failure, on the account only: a
    guess is one guess however many devices the user has, and it does not
    throttle or lock each device. The account's own doubling delay
    (:func:`otp_core.account_throttle.delay_refusal`) slows the next guess
    instead. A throttled or locked device is skipped; when no device could
    check the code, its refusal is the result.
    """
    candidates = sorted(devices, key=lock_order)
    if not candidates:
        return None, VerificationResult(False, "mismatch")
    user_ids = {candidate.user_id for candidate in candidates}
    if len(user_ids) != 1:
        raise ValueError("verify_any() takes the devices of one user.")
    user_id = user_ids.pop()
    account_alias = account_throttle.database()
    aliases = [router.db_for_write(type(d), instance=d) for d in candidates]
    winner: tuple[Device, Device, list[str]] | None = None
    outcomes: list[tuple[Device, VerificationResult]] = []
    account_locked: AccountThrottle | None = None
    with ExitStack() as stack:
        _atomic(stack, *aliases, account_alias)
        rows: list[tuple[Device, Device]] = []
        for candidate in candidates:
            try:
                rows.append((candidate, locked(candidate)))
            except type(candidate).DoesNotExist:
                continue
        account = account_throttle.locked_row(user_id, using=account_alias)
        refused = account_throttle.lock_refusal(account) or account_throttle.delay_refusal(account)
        if refused is not None:
            outcomes = [(original, _refusal(refused)) for original, _ in rows]
            rows = []
        checked: list[Device] = []
        for original, current in rows:
            allowed, details = current.verify_is_allowed()
            if not allowed:
                outcomes.append((original, _refusal(details)))
                continue
            checked.append(current)
            accepted, fields = _check_one(current, token)
            if accepted:
                current.save(update_fields=fields)
                if current.confirmed:
                    account_throttle.record_success(account, using=account_alias)
                winner = (original, current, fields)
                break
            outcomes.append((original, _mismatch(current)))
        if winner is None and any(c.confirmed and c.counts_failures for c in checked):
            account, newly = account_throttle.record_failure(account, user_id, using=account_alias)
            account_locked = account if newly else None

    if winner is not None:
        original, current, fields = winner
        _copy_state(current, original, fields)
        signals.verification_succeeded.send(type(original), device=original, request=request)
        return original, VerificationResult(True)
    for original, refusal in outcomes:
        _refused(original, refusal, request)
    if account_locked is not None:
        _announce_account_lock(account_locked, request)
    if refused is not None:
        return None, _refusal(refused)
    # As before: a device's refusal (wait, locked) tells the user more than "wrong".
    device_refusals = [r for _, r in outcomes if r.reason != "mismatch"]
    return None, device_refusals[-1] if device_refusals else VerificationResult(False, "mismatch")

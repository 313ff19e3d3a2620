"""The one path that checks a token.

In one transaction with the device row locked: is verification allowed
(throttle, lock-out)? does the token match? then the replay guard the device
applied, the throttle reset or increment and the last-use stamp are saved
together. Whatever the number of processes racing on one token, at most one
is accepted: PostgreSQL and MariaDB serialise on the row lock, SQLite on its
database write lock, which is taken before the row is read.

The user's account row (:mod:`otp_core.account_throttle`) is locked after the
device row(s) in the same transaction: a locked account refuses every device,
a mismatch counts one account-wide failure, a success resets the count.
:func:`otp_core.any_device.verify_any` checks a code against all of a user's
devices at once (no device chosen) and counts one failure for it, not one per
device (still importable from here).
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from django.db import connections, router, transaction
from django.utils import timezone

from . import account_throttle, signals
from .deferred import moved
from .models import AccountThrottle
from .values import Value

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Device

__all__ = [
    "VerificationResult",
    "device_to_verify",
    "lock_order",
    "locked",
    "verify",
]

#: Instance attribute of a device from :func:`device_to_verify`: what its row
#: must match when :func:`locked` reads it.
_EXPECTED = "_otp_expected"

logger = logging.getLogger("otp_core")


class VerificationResult(Value):
    """Was the token accepted; true as a boolean when it was."""

    _fields = ("accepted", "reason", "details")
    __slots__ = _fields
    accepted: bool
    #: None when accepted; "mismatch", or a VerifyNotAllowed value
    #: (``ACCOUNT_LOCKED`` when the user's account is locked).
    reason: str | None
    #: Details of a refusal (failure count, locked_until), or of a mismatch
    #: what the device said (its ``refusal_details``).
    details: dict[str, Any] | None

    def __init__(
        self, accepted: bool, reason: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        self._fill(accepted, reason, details)

    def __bool__(self) -> bool:
        return self.accepted


def device_to_verify(persistent_id: str, user: Any) -> Device | None:
    """A confirmed device of ``user``, named by its persistent id, not read yet.

    :func:`verify` reads it once, under its row lock, and fills this object
    from that row, so a page that checks an answer loads the device once
    instead of loading it to build the form and again to lock it. The row
    must still belong to ``user`` and be confirmed at that moment, or the
    answer is refused. None for an id that names no device model.
    """
    from .ids import parse_pk
    from .models.device import _split_persistent_id

    model, raw_pk = _split_persistent_id(persistent_id)
    pk = parse_pk(model, raw_pk) if model is not None else None
    user_pk = getattr(user, "pk", None)
    if model is None or pk is None or user_pk is None:
        return None
    names = [model._meta.pk.attname, "user_id", "confirmed"]
    device = model.from_db(router.db_for_read(model), names, [pk, user_pk, True])
    device.__dict__[_EXPECTED] = {"user_id": user_pk, "confirmed": True}
    return device


def locked(device: Device) -> Device:
    """Fetch ``device`` again with its row locked for the current transaction.

    A device from :func:`device_to_verify` is filled from the locked row
    (its owner and confirmation checked in the same query).
    """
    model = type(device)
    alias = router.db_for_write(model, instance=device)
    manager = model._default_manager.db_manager(alias)
    if not connections[alias].features.has_select_for_update:
        # SQLite: a write takes the database lock now, so no other connection
        # can read-then-write this row before we commit.
        pk_name = model._meta.pk.attname
        manager.filter(pk=device.pk).update(**{pk_name: device.pk})
    expected = device.__dict__.get(_EXPECTED, {})
    current = _locked_row(model, alias, device.pk, expected)
    if expected and device.get_deferred_fields():
        # The caller's object becomes the locked row: one read for the page.
        loaded = {f.attname for f in model._meta.concrete_fields} - current.get_deferred_fields()
        device.__dict__.update({name: current.__dict__[name] for name in loaded})
    return current


def _locked_row(model: type[Device], alias: str, pk: Any, expected: dict[str, Any]) -> Device:
    """``select_for_update().get(pk=pk, **expected)``, its query built once.

    ``expected`` (from :func:`device_to_verify`) is ``{"user_id": ...,
    "confirmed": True}``; the owner is in the query, the confirmation checked
    on the locked row (the ORM writes a boolean test into the SQL text).
    """
    from .built_queries import db_value, model_rows

    connection = connections[alias]
    params = [db_value(model, "pk", pk, connection)]
    if expected:
        params.append(db_value(model, "user", expected["user_id"], connection))

    def build() -> Any:
        rows = model._default_manager.db_manager(alias).select_for_update().filter(pk=pk)
        if expected:
            rows = rows.filter(user_id=expected["user_id"])
        return rows.order_by()

    rows = model_rows(("locked device", model, bool(expected)), build, params, using=alias)
    if not rows or (expected and rows[0][0].confirmed != bool(expected["confirmed"])):  # type: ignore[attr-defined]
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    return rows[0][0]  # type: ignore[return-value]


def _copy_state(source: Device, target: Device, fields: list[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


def lock_order(device: Device) -> tuple[str, Any]:
    """The order in which device rows are locked when several are: model, then pk.

    Every path that locks several device rows of one user sorts them by this
    key, and locks the account row after them, so no two transactions wait
    on each other in a circle.
    """
    return (device._meta.label_lower, device.pk)


def _check_one(current: Device, token: Any) -> tuple[bool, list[str]]:
    """Match ``token`` on the locked ``current``; the fields to save either way."""
    current.refusal_details = None
    if isinstance(token, str) and current._match(token):
        current.throttle_reset(commit=False)
        current.last_used_at = timezone.now()
        return True, [*current.throttling_fields, "last_used_at", *current.verification_fields]
    return False, []


def _mismatch(current: Device) -> VerificationResult:
    """A refused token, with what the device said of why (``refusal_details``).

    A device's ``_match`` may set ``self.refusal_details`` to a small dict
    (e.g. a validation server's status) when it refuses; it must hold no
    token, code or secret: it reaches the result, signal receivers and logs.
    """
    details = getattr(current, "refusal_details", None)
    return VerificationResult(False, "mismatch", dict(details) if details else None)


def _refusal(details: dict[str, Any] | None) -> VerificationResult:
    # verify_is_allowed() and the account checks give details with a reason.
    reason = details["reason"].value if details else "not_allowed"
    return VerificationResult(False, str(reason), details)


def _atomic(stack: ExitStack, *aliases: str) -> None:
    for alias in sorted(set(aliases)):
        stack.enter_context(transaction.atomic(using=alias))


def verify(device: Device, token: str, *, request: HttpRequest | None = None) -> VerificationResult:
    """Check ``token`` against ``device``; the decision is final and recorded.

    Refused unchecked while the user's account is locked
    (``ACCOUNT_LOCKED``) or the device is throttled or locked. A mismatch on a
    confirmed device counts one failure on the device and one on the account,
    unless the device's ``counts_failures`` is False (an answer nobody can
    guess, such as a WebAuthn signature); a success resets both.
    """
    model = type(device)
    alias = router.db_for_write(model, instance=device)
    account_alias = account_throttle.database()
    locked_out_now = False
    account_locked: AccountThrottle | None = None
    with ExitStack() as stack:
        _atomic(stack, alias, account_alias)
        try:
            current = locked(device)
        except model.DoesNotExist:
            return VerificationResult(False, "mismatch")
        account = account_throttle.locked_row(current.user_id, using=account_alias)
        counts = current.confirmed  # a set-up's own code guesses no enrolled factor
        refused = account_throttle.lock_refusal(account)
        allowed = refused is None
        if allowed:
            allowed, refused = current.verify_is_allowed()
        fields: list[str] = []
        if not allowed:
            result = _refusal(refused)
        else:
            accepted, fields = _check_one(current, token)
            if accepted:
                if counts:
                    account_throttle.record_success(account, using=account_alias)
                result = VerificationResult(True)
            else:
                if current.counts_failures:
                    current.throttle_increment(commit=False)
                    fields = list(current.throttling_fields)
                    locked_out_now = current.is_locked_out
                if counts and current.counts_failures:
                    account, newly = account_throttle.record_failure(
                        account, current.user_id, using=account_alias
                    )
                    account_locked = account if newly else None
                result = _mismatch(current)
        if fields:
            current.save(update_fields=fields)
    _copy_state(current, device, fields or list(current.throttling_fields))

    if result.accepted:
        signals.verification_succeeded.send(model, device=device, request=request)
    else:
        _refused(device, result, request)
        if locked_out_now:
            logger.warning("OTP device %s is locked out", device.persistent_id)
            signals.device_locked_out.send(model, device=device)
    if account_locked is not None:
        _announce_account_lock(account_locked, request)
    return result


def _refused(device: Device, result: VerificationResult, request: HttpRequest | None) -> None:
    logger.info("OTP verification refused for device %s: %s", device.persistent_id, result.reason)
    signals.verification_failed.send(
        type(device), device=device, request=request, reason=result.reason, details=result.details
    )


def _announce_account_lock(row: AccountThrottle, request: HttpRequest | None) -> None:
    # The user's pk only: a user name may be an e-mail address (personal data).
    logger.warning(
        "OTP account of user %s is locked after %d consecutive failures",
        row.user_id,
        row.failure_count,
    )
    signals.account_locked_out.send(
        AccountThrottle, user=row.user, failure_count=row.failure_count, request=request
    )


# In its own module: only a code without a chosen device needs it.
__getattr__ = moved(__name__, {"verify_any": "otp_core.any_device"})

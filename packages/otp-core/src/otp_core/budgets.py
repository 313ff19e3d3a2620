"""Send budgets: how many codes may go out per destination, per user and per client.

A cooldown on a device row is no limit: a set-up restart makes a new device.
So every message a device sends is one :class:`~otp_core.models.SendRecord`
row, and :func:`otp_core.challenges.issue_challenge` refuses a send once a
window of ``OTP_SEND_BUDGET_DESTINATION``, ``OTP_SEND_BUDGET_USER`` or
``OTP_SEND_BUDGET_CLIENT`` is full. The destination budget of a confirmed
device counts only its own user's sends (so another account's set-ups cannot
deny a user's sign-in); a device in set-up counts every account's.

The check and the new row are written in the transaction that sends, after
locks that serialise every send of the same user (the user's row) and of the
same destination and client address (transaction-level advisory locks on
PostgreSQL, ``GET_LOCK`` held until the transaction has ended on
MariaDB/MySQL), so concurrent requests cannot overspend.

Destinations and client addresses are stored as keyed digests (HMAC-SHA256
with a key derived from ``OTP_ENCRYPTION_KEYS``). Rows are counted under every
configured key, so a key rotation keeps the budgets as long as the old key
stays in the list; removing it restarts at most the windows then running.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from . import crypto
from .conf import otp_settings
from .models import SendRecord

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "LOCK_WAIT_SECONDS",
    "SEND_BUDGET_BUSY",
    "SEND_BUDGET_EXHAUSTED",
    "BudgetBusy",
    "SendTarget",
    "client_address",
    "digests",
    "lock_scope",
    "longest_window",
    "record",
    "refusal",
    "refusal_message",
    "serialise",
    "target_for",
]

#: The ``reason`` of a ``ChallengeNotAllowed`` raised for a full budget.
SEND_BUDGET_EXHAUSTED = "SEND_BUDGET_EXHAUSTED"

#: Setting of each budget, by the scope named in a refusal's ``scope``.
BUDGET_SETTINGS = {
    "destination": "OTP_SEND_BUDGET_DESTINATION",
    "user": "OTP_SEND_BUDGET_USER",
    "client": "OTP_SEND_BUDGET_CLIENT",
}


@dataclass(frozen=True)
class SendTarget:
    """Who sends, where to, and from which client: what the budgets count."""

    user_id: Any
    channel: str
    #: Digest of the destination under every configured key, the current key's first.
    destination: tuple[str, ...]
    #: The same for the client's address; empty without a request.
    client: tuple[str, ...]
    #: Whether the sending device is confirmed. A confirmed device's destination
    #: budget counts only its own user's sends, so nobody else's set-ups can spend
    #: it; a device in set-up counts every account's sends to that destination.
    confirmed: bool = False


@functools.lru_cache(maxsize=8)
def _keys(material: tuple[str | bytes, ...]) -> tuple[bytes, ...]:
    # HKDF-SHA256 with info "otp_core/send-budget", as crypto derives its keys.
    return tuple(crypto._derive(key, b"send-budget") for key in material)


def digests(value: str) -> tuple[str, ...]:
    """Keyed digests (64 hex digits) of ``value`` under every configured key."""
    data = value.encode("utf-8", "surrogatepass")
    return tuple(
        hmac.new(key, data, hashlib.sha256).hexdigest() for key in _keys(crypto.configured_keys())
    )


def client_address(request: HttpRequest | None) -> str:
    """The client's address from ``OTP_CLIENT_ADDRESS_HEADER`` (REMOTE_ADDR by default).

    A list (``a, b``) as proxies append it gives its last entry: the one the
    trusted proxy added.
    """
    if request is None:
        return ""
    value = request.META.get(str(otp_settings.OTP_CLIENT_ADDRESS_HEADER), "")
    if not isinstance(value, str):
        return ""
    return value.rsplit(",", 1)[-1].strip()


def target_for(device: Any, request: HttpRequest | None) -> SendTarget | None:
    """What a send by ``device`` counts against; None for devices that send nothing.

    A device names its destination with ``budget_destination()`` returning
    ``(channel, normalised address)`` (see ``SideChannelMixin``).
    """
    destination = getattr(device, "budget_destination", None)
    if destination is None:
        return None
    found = destination()
    if found is None:
        return None
    channel, address = found
    client = client_address(request)
    return SendTarget(
        user_id=device.user_id,
        channel=str(channel),
        destination=digests(str(address)),
        client=digests("client:" + client) if client else (),
        confirmed=bool(getattr(device, "confirmed", False)),
    )


def _budget(scope: str) -> list[tuple[int, int]]:
    value = getattr(otp_settings, BUDGET_SETTINGS[scope]) or ()
    return [(int(limit), int(seconds)) for limit, seconds in value]


def longest_window() -> int:
    """Seconds of the longest configured window: older ledger rows count for nothing."""
    windows = [seconds for scope in BUDGET_SETTINGS for _limit, seconds in _budget(scope)]
    return max(windows, default=0)


#: Seconds a send waits on MariaDB/MySQL for another send to the same destination
#: or from the same address; past that it is refused as busy, never blocked for long.
LOCK_WAIT_SECONDS = 10

#: The ``reason`` of a ``ChallengeNotAllowed`` when that wait ran out.
SEND_BUDGET_BUSY = "SEND_BUDGET_BUSY"


class BudgetBusy(Exception):
    """Another send held the destination's or address's lock for too long."""


def _lock_keys(target: SendTarget) -> list[str]:
    """The destination's and client's current digests, sorted: a fixed lock order."""
    return sorted(set(target.destination[:1] + target.client[:1]))


@contextmanager
def lock_scope(alias: str) -> Iterator[None]:
    """Hold the MariaDB/MySQL locks :func:`serialise` takes until this block ends.

    MariaDB has no transaction-level advisory lock, only ``GET_LOCK``, which
    belongs to the connection. Wrap the transaction that sends in this block:
    on leaving it (after the commit or the rollback) the locks are released
    with ``RELEASE_LOCK``. Scopes nest; the outermost one releases. Elsewhere
    it does nothing.
    """
    connection = connections[alias]
    depth = getattr(connection, "_otp_budget_lock_depth", 0)
    connection._otp_budget_lock_depth = depth + 1
    if depth == 0:
        connection._otp_budget_locks = []
    try:
        yield
    finally:
        connection._otp_budget_lock_depth = depth
        if depth == 0:
            held, connection._otp_budget_locks = connection._otp_budget_locks, []
            if held and connection.connection is not None:
                try:
                    with connection.cursor() as cursor:
                        for name in reversed(held):
                            cursor.execute("SELECT RELEASE_LOCK(%s)", [name])
                except DatabaseError:
                    # A broken connection: the server dropped its locks with it.
                    connection.close()


def _get_locks(connection: Any, target: SendTarget) -> None:
    if getattr(connection, "_otp_budget_lock_depth", 0) == 0:
        raise RuntimeError("budgets.serialise() on MariaDB/MySQL needs budgets.lock_scope()")
    held: list[str] = connection._otp_budget_locks
    with connection.cursor() as cursor:
        for key in _lock_keys(target):
            name = "otp_core.send." + key[:40]
            if name in held:
                continue
            cursor.execute("SELECT GET_LOCK(%s, %s)", [name, LOCK_WAIT_SECONDS])
            (obtained,) = cursor.fetchone()
            if obtained != 1:
                raise BudgetBusy
            held.append(name)


def serialise(target: SendTarget, alias: str) -> None:
    """Lock what the budgets of ``target`` count, until the transaction ends.

    The user's row everywhere; on PostgreSQL also advisory locks for the
    destination and the client address, taken in a fixed order (no deadlock);
    on MariaDB/MySQL the same as ``GET_LOCK`` locks held until the enclosing
    :func:`lock_scope` ends (raises :class:`BudgetBusy` after
    :data:`LOCK_WAIT_SECONDS`). SQLite needs nothing: the caller holds the
    database's write lock already.
    """
    connection = connections[alias]
    if not connection.features.has_select_for_update:
        return
    if target.user_id is not None:
        model = get_user_model()
        list(
            model._default_manager.db_manager(alias)
            .select_for_update()
            .filter(pk=target.user_id)
            .values_list("pk", flat=True)
        )
    if connection.vendor == "postgresql":
        keys = sorted(
            {int.from_bytes(bytes.fromhex(d[:16]), "big", signed=True) for d in _lock_keys(target)}
        )
        with connection.cursor() as cursor:
            for key in keys:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    elif connection.vendor == "mysql":
        _get_locks(connection, target)


def _scope_filter(scope: str, target: SendTarget) -> Q | None:
    if scope == "destination":
        condition = Q(destination_digest__in=target.destination)
        if target.confirmed and target.user_id is not None:
            # A third party starting set-ups with this destination must not
            # lock its owner out of signing in (denial of service).
            condition &= Q(user_id=target.user_id)
        return condition
    if scope == "user":
        return Q(user_id=target.user_id) if target.user_id is not None else None
    return Q(client_digest__in=target.client) if target.client else None


def refusal(target: SendTarget, alias: str, now: datetime | None = None) -> dict[str, Any] | None:
    """None when ``target`` may send now; otherwise the details of the full budget.

    The details name the ``scope`` ("destination", "user" or "client") and
    ``next_generation_at``, when the full window has room again.
    """
    now = now or timezone.now()
    latest: datetime | None = None
    full_scope = ""
    for scope in BUDGET_SETTINGS:
        budget = _budget(scope)
        condition = _scope_filter(scope, target)
        if not budget or condition is None:
            continue
        since = now - timedelta(seconds=max(seconds for _limit, seconds in budget))
        sent = sorted(
            SendRecord.objects.using(alias)
            .filter(condition, sent_at__gt=since)
            .values_list("sent_at", flat=True)
        )
        for limit, seconds in budget:
            in_window = [t for t in sent if t > now - timedelta(seconds=seconds)]
            if len(in_window) >= limit:
                # Room again once enough of the oldest rows left the window.
                free_at = in_window[len(in_window) - limit] + timedelta(seconds=seconds)
                if latest is None or free_at > latest:
                    latest, full_scope = free_at, scope
    if latest is None:
        return None
    return {"reason": SEND_BUDGET_EXHAUSTED, "scope": full_scope, "next_generation_at": latest}


def record(target: SendTarget, alias: str, now: datetime | None = None) -> SendRecord:
    """Write the ledger row of one message sent to ``target``."""
    return SendRecord.objects.using(alias).create(
        user_id=target.user_id,
        channel=target.channel[:16],
        destination_digest=target.destination[0],
        client_digest=target.client[0] if target.client else "",
        sent_at=now or timezone.now(),
    )


def refusal_message(details: dict[str, Any] | None) -> str | None:
    """The message for a user whose send was refused by a budget; None for other refusals.

    It says when to try again, in whole minutes, and not which budget is full
    (that would tell an attacker whether a number is in use elsewhere).
    """
    if not details or details.get("reason") != SEND_BUDGET_EXHAUSTED:
        return None
    wait = (details["next_generation_at"] - timezone.now()).total_seconds()
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "Too many codes were sent. Please try again in %(minutes)d minute.",
        "Too many codes were sent. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}

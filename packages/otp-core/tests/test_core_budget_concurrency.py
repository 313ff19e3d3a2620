"""Send budgets under concurrent requests: the ledger is never overspent.

Eight threads, each with its own database connection, ask at the same
moment for codes that count against one budget. On PostgreSQL the user's row
lock (and advisory locks for destinations and client addresses) serialise
them; on MariaDB ``GET_LOCK`` locks held until the transaction has ended; on
SQLite the database write lock.
"""

from __future__ import annotations

import pytest
from django.db import connections
from otp_example.models import ExampleChallengeDevice, outbox

from otp_core import budgets
from otp_core.challenges import ChallengeNotAllowed, issue_challenge
from otp_core.models import SendRecord
from otp_core.testing import race

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 5


def test_concurrent_sends_of_one_user_never_exceed_the_user_budget(user, settings):
    settings.OTP_SEND_BUDGET_USER = [(5, 600)]
    for _ in range(ROUNDS):
        SendRecord.objects.all().delete()
        ExampleChallengeDevice.objects.all().delete()
        outbox.clear()
        pks = [
            ExampleChallengeDevice.objects.create(user=user, name=f"d{i}").pk
            for i in range(THREADS)
        ]

        def send(i: int) -> bool:
            try:
                issue_challenge(ExampleChallengeDevice.objects.get(pk=pks[i]))
            except ChallengeNotAllowed:
                return False
            return True

        outcomes = race(THREADS, send)
        assert sum(outcomes) == 5
        assert len(outbox) == 5
        assert SendRecord.objects.count() == 5


def _lock_is_free(name: str) -> bool:
    """Whether another connection could take the MariaDB lock ``name`` now."""
    result: list[int | None] = []

    def probe(_i: int) -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT IS_FREE_LOCK(%s)", [name])
            result.append(cursor.fetchone()[0])

    race(1, probe)
    return result == [1]


def test_budget_locks_end_with_the_send_committed_or_rolled_back(user, monkeypatch):
    """MariaDB's GET_LOCK belongs to the connection: each send releases its locks."""
    device = ExampleChallengeDevice.objects.create(user=user, name="d", confirmed=False)
    connection = connections["default"]
    name = "otp_core.send." + budgets.target_for(device, None).destination[0][:40]
    issue_challenge(device)
    assert connection._otp_budget_locks == []
    if connection.vendor == "mysql":
        assert _lock_is_free(name)

    def broken(self, request):
        raise OSError("gateway down")

    monkeypatch.setattr(ExampleChallengeDevice, "_challenge", broken)
    with pytest.raises(OSError, match="gateway down"):
        issue_challenge(device)
    assert connection._otp_budget_locks == []
    assert SendRecord.objects.count() == 1
    if connection.vendor == "mysql":
        assert _lock_is_free(name)


def test_a_send_waiting_too_long_for_the_budget_lock_is_refused(user, monkeypatch):
    """Another connection holding the destination's lock: refused as busy, not hung."""
    device = ExampleChallengeDevice.objects.create(user=user, name="d", confirmed=False)
    connection = connections["default"]
    if connection.vendor != "mysql":
        # PostgreSQL waits on its transaction-level lock; SQLite on its write lock.
        assert budgets.LOCK_WAIT_SECONDS <= 10
        return
    monkeypatch.setattr(budgets, "LOCK_WAIT_SECONDS", 0)
    name = "otp_core.send." + budgets.target_for(device, None).destination[0][:40]
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK(%s, 0)", [name])
            assert cursor.fetchone()[0] == 1
        with pytest.raises(ChallengeNotAllowed) as refused:
            issue_challenge(device)
        assert refused.value.details["reason"] == budgets.SEND_BUDGET_BUSY
        assert SendRecord.objects.count() == 0
    finally:
        holder.close()
    issue_challenge(device)
    assert SendRecord.objects.count() == 1

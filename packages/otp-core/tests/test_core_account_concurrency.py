"""Races on one account: no lost increment, one lock, one acceptance, no deadlock.

Threads (each with its own connection, see :func:`otp_core.testing.race`)
attack two devices of one user, with a device chosen and without. Every
transaction locks device rows first, then the account row; the first round
also races on inserting the account row (the unique user column). Run on
PostgreSQL: ``python3 tools/dbserver.py postgres -- pytest -m concurrency``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection
from otp_example.models import ExampleDevice, HardwareExampleDevice

from otp_core import signals
from otp_core.models import AccountThrottle
from otp_core.testing import race
from otp_core.verification import verify, verify_any

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 16
ROUNDS = 5
WRONG = "not-a-code"  # never matches, whatever the counter


@pytest.fixture
def two_devices(user):
    first = ExampleDevice.objects.create(user=user, name="phone", key="3536" * 10)
    second = HardwareExampleDevice.objects.create(user=user, name="key", key="3738" * 10)
    return first, second


def _fresh(device):
    return type(device).objects.get(pk=device.pk)


def _attempt(i: int, devices, token: str) -> str | None:
    """Thread i: a chosen device (alternating) or, every third thread, no device chosen."""
    if i % 3 == 2:
        return verify_any([_fresh(d) for d in devices], token)[1].reason
    return verify(_fresh(devices[i % 2]), token).reason


def test_every_checked_failure_is_counted_once(settings, user, two_devices):
    settings.OTP_THROTTLE_FACTOR = 0  # no attempt may be refused unchecked
    settings.OTP_LOCKOUT_FAILURES = 0
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 0
    assert not AccountThrottle.objects.filter(user=user).exists()  # round 1 races to create it
    started = time.perf_counter()
    for round_number in range(1, ROUNDS + 1):
        reasons = race(THREADS, lambda i: _attempt(i, two_devices, WRONG))
        assert reasons == ["mismatch"] * THREADS
        row = AccountThrottle.objects.get(user=user)
        assert row.failure_count == THREADS * round_number
    # Per device: only the attempts that chose it (no device chosen counts on none).
    chosen = [i for i in range(THREADS) if i % 3 != 2]
    expected = Counter(i % 2 for i in chosen)
    for index, device in enumerate(two_devices):
        device.refresh_from_db()
        assert device.throttling_failure_count == expected[index] * ROUNDS
    elapsed = time.perf_counter() - started
    print(
        f"\n[{connection.vendor}] {ROUNDS} rounds x {THREADS} threads on 2 devices: "
        f"account count {row.failure_count} = attempts checked, {elapsed:.2f} s"
    )


def test_the_lock_holds_across_connections(settings, user, two_devices):
    settings.OTP_THROTTLE_FACTOR = 0
    settings.OTP_LOCKOUT_FAILURES = 0
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 20
    announced = []

    def receiver(sender, **kwargs):
        announced.append(kwargs["failure_count"])

    signals.account_locked_out.connect(receiver, weak=False)
    try:
        reasons = []
        for _ in range(3):
            reasons += race(THREADS, lambda i: _attempt(i, two_devices, WRONG))
    finally:
        signals.account_locked_out.disconnect(receiver)
    counts = Counter(reasons)
    # Exactly the limit was checked; everything after it was refused unchecked.
    assert counts == {"mismatch": 20, "ACCOUNT_LOCKED": 3 * THREADS - 20}
    row = AccountThrottle.objects.get(user=user)
    assert row.failure_count == 20
    assert row.is_locked
    assert announced == [20]


def test_a_code_is_accepted_once_with_and_without_a_device_chosen(
    settings, user, two_devices, otp_code
):
    first, second = two_devices
    for _ in range(3):
        second.refresh_from_db()
        code = otp_code(second)

        def attempt(i: int, code: str = code) -> bool:
            if i % 2:
                return verify(_fresh(second), code).accepted
            return verify_any([_fresh(first), _fresh(second)], code)[1].accepted

        outcomes = race(THREADS, attempt)
        assert sum(outcomes) == 1
        # The success reset the account: failures of this round's losers count again.
        AccountThrottle.objects.filter(user=user).update(failure_count=0, last_failure_at=None)
        ExampleDevice.objects.filter(pk=first.pk).update(throttling_failure_count=0)
        HardwareExampleDevice.objects.filter(pk=second.pk).update(throttling_failure_count=0)
    second.refresh_from_db()
    assert second.counter == 3


def test_first_failures_racing_to_create_the_row_both_count(settings, user, two_devices):
    """Two first failures: one inserts the row, the other's upsert waits, then counts on it.

    On PostgreSQL thread 0 holds its uncommitted insert until thread 1 is seen
    waiting on a lock (``pg_stat_activity``), so the conflict path runs every
    time; on SQLite and MariaDB thread 1 waits on the database or row lock.
    """
    from django.db import transaction

    from otp_core import account_throttle

    settings.OTP_THROTTLE_FACTOR = 0
    second = two_devices[1]
    inserted = threading.Event()

    def work(i: int) -> str | None:
        if i == 1:
            inserted.wait(timeout=30)
            return verify(_fresh(second), WRONG).reason
        with transaction.atomic():
            account_throttle.record_failure(None, user.pk, using="default")
            inserted.set()
            _wait_for_a_lock_waiter(timeout=10)
        return "inserted"

    assert race(2, work) == ["inserted", "mismatch"]
    assert AccountThrottle.objects.get(user=user).failure_count == 2


def _wait_for_a_lock_waiter(timeout: float) -> None:
    if connection.vendor != "postgresql":
        time.sleep(0.5)  # SQLite: the other thread waits on the database lock
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the other transaction never waited on the account row")

"""Races on one device from several database connections at once.

Each thread has its own connection (Django's connections are per thread) and
all start together on a barrier. On PostgreSQL the row lock serialises them;
on SQLite (a file database in the test project) the write lock does.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection
from otp_example.models import ExampleDevice

from otp_core.testing import race
from otp_core.verification import verify

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 50


def test_one_token_is_accepted_exactly_once(user, otp_code, record_property):
    device = ExampleDevice.objects.create(user=user, name="raced", key="3132" * 10)
    started = time.perf_counter()
    accepted_per_round = []
    for _ in range(ROUNDS):
        device.refresh_from_db()
        code = otp_code(device)
        pk = device.pk

        def attempt(i: int, code: str = code, pk: int = pk) -> bool:
            # A fresh instance per thread, as each request would load its own.
            return verify(ExampleDevice.objects.get(pk=pk), code).accepted

        outcomes = race(THREADS, attempt)
        accepted_per_round.append(sum(outcomes))
        device.refresh_from_db()
        # The winner moved the counter once; the losers counted failures.
        assert device.counter == len(accepted_per_round)
        device.throttle_reset()
    elapsed = time.perf_counter() - started
    record_property("rounds", ROUNDS)
    record_property("threads", THREADS)
    record_property("seconds", round(elapsed, 2))
    print(
        f"\n[{connection.vendor}] {ROUNDS} rounds x {THREADS} threads: "
        f"acceptances per round {sorted(set(accepted_per_round))}, {elapsed:.2f} s"
    )
    assert accepted_per_round == [1] * ROUNDS


def test_simultaneous_failures_are_all_counted(settings, user, record_property):
    settings.OTP_THROTTLE_FACTOR = 0  # no attempt may be refused unchecked
    settings.OTP_LOCKOUT_FAILURES = 0
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 0
    device = ExampleDevice.objects.create(user=user, name="hammered", key="3334" * 10)
    threads = THREADS * 2
    rounds = 10
    started = time.perf_counter()
    for round_number in range(1, rounds + 1):

        def attempt(i: int, pk: int = device.pk) -> str | None:
            return verify(ExampleDevice.objects.get(pk=pk), "not-a-code").reason

        reasons = race(threads, attempt)
        assert reasons == ["mismatch"] * threads
        device.refresh_from_db()
        assert device.throttling_failure_count == threads * round_number
    elapsed = time.perf_counter() - started
    print(
        f"\n[{connection.vendor}] {rounds} rounds x {threads} threads of failures: "
        f"no lost increment, {elapsed:.2f} s"
    )


def test_cooldown_lets_one_of_simultaneous_challenges_through(monkeypatch, user):
    from otp_example.models import ExampleChallengeDevice, outbox

    from otp_core.challenges import ChallengeNotAllowed

    monkeypatch.setattr(ExampleChallengeDevice, "get_cooldown", lambda self: 3600)
    outbox.clear()
    device = ExampleChallengeDevice.objects.create(user=user, name="raced phone")

    def attempt(i: int, pk: int = device.pk) -> str:
        try:
            ExampleChallengeDevice.objects.get(pk=pk).generate_challenge()
        except ChallengeNotAllowed:
            return "refused"
        return "sent"

    outcomes = race(THREADS, attempt)
    assert sorted(outcomes) == ["refused"] * (THREADS - 1) + ["sent"]
    assert len(outbox) == 1
    outbox.clear()

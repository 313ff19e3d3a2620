"""Eight connections racing to use one backup code: at most one succeeds.

Each thread has its own connection (Django's connections are per thread) and
all start together on a barrier, as in otp-core's concurrency tests. On
PostgreSQL the device row lock serialises them, on SQLite the write lock.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection

from otp_core.testing import race
from otp_core.verification import verify
from otp_static.models import StaticDevice

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 20


def test_one_code_is_accepted_at_most_once(settings, user):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # the losers' failures must not block the next round
    device = StaticDevice.objects.create(user=user, name="raced")
    codes = device.generate_tokens(count=ROUNDS)
    started = time.perf_counter()
    accepted = []
    for round_number, code in enumerate(codes, start=1):

        def attempt(i: int, code: str = code, pk: int = device.pk) -> str | None:
            return verify(StaticDevice.objects.get(pk=pk), code).reason

        reasons = race(THREADS, attempt)
        accepted.append(reasons.count(None))
        # Every loser was checked and refused as a mismatch (no error, no skip).
        assert sorted(reasons, key=str) == sorted([None] + ["mismatch"] * (THREADS - 1), key=str)
        assert device.remaining == ROUNDS - round_number
    elapsed = time.perf_counter() - started
    print(
        f"\n[{connection.vendor}] {ROUNDS} codes x {THREADS} threads: "
        f"acceptances per code {sorted(set(accepted))}, {elapsed:.2f} s"
    )
    assert accepted == [1] * ROUNDS


def test_different_codes_race_without_losses(settings, user):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    device = StaticDevice.objects.create(user=user, name="busy")
    codes = device.generate_tokens(count=THREADS)

    def attempt(i: int, pk: int = device.pk) -> bool:
        return verify(StaticDevice.objects.get(pk=pk), codes[i]).accepted

    assert race(THREADS, attempt) == [True] * THREADS
    assert device.remaining == 0

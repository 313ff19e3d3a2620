"""Eight connections racing with one YubiKey OTP: it is accepted exactly once.

Run on PostgreSQL (``tools/dbserver.py postgres``), where the device row lock
serialises the racers; on SQLite the write lock does.
"""

from __future__ import annotations

import pytest
from django.db import connection

from otp_core.testing import race
from otp_core.verification import verify
from otp_yubikey.models import YubikeyDevice

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 10


def test_one_otp_is_accepted_exactly_once(settings, local_device, key):
    settings.OTP_YUBIKEY_THROTTLE_FACTOR = 0  # the losers' failures must not block the next round
    for _round in range(ROUNDS):
        otp = key.otp()

        def attempt(i: int, otp: str = otp, pk: int = local_device.pk) -> str | None:
            return verify(YubikeyDevice.objects.get(pk=pk), otp).reason

        reasons = race(THREADS, attempt)
        assert sorted(reasons, key=str) == sorted([None] + ["mismatch"] * (THREADS - 1), key=str)
    local_device.refresh_from_db()
    assert (local_device.session, local_device.counter) == (key.session, key.counter)
    print(f"\n[{connection.vendor}] {ROUNDS} OTPs x {THREADS} connections: one acceptance each")

"""Send budgets under concurrent requests: the ledger is never overspent.

Eight threads, each with its own database connection, ask at the same
moment for codes that count against one budget. On PostgreSQL the user's row
lock (and advisory locks for destinations and client addresses) serialise
them; on SQLite the database write lock does.
"""

from __future__ import annotations

import pytest
from otp_example.models import ExampleChallengeDevice, outbox

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

"""One number, eight accounts, eight simultaneous requests: three texts (issue 8)."""

from __future__ import annotations

import pytest

from otp_core.challenges import ChallengeNotAllowed, issue_challenge
from otp_core.models import SendRecord
from otp_core.testing import race
from otp_phone.models import PhoneDevice

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 5


def test_concurrent_sends_to_one_number_never_exceed_its_budget(
    django_user_model, fake_gateway, fake_codes, settings, rf
):
    settings.OTP_SEND_BUDGET_DESTINATION = [(3, 600)]
    users = [django_user_model.objects.create_user(f"u{i}", password="x") for i in range(THREADS)]
    for round_ in range(ROUNDS):
        SendRecord.objects.all().delete()
        PhoneDevice.objects.all().delete()
        pks = [
            # Set-ups (unconfirmed): they share the number's budget across accounts.
            PhoneDevice.objects.create(user=u, name="p", number="+31612345678", confirmed=False).pk
            for u in users
        ]

        def send(i: int) -> bool:
            # Each from its own address: only the number's budget is shared.
            request = rf.post("/", REMOTE_ADDR=f"198.51.100.{i}")
            try:
                issue_challenge(PhoneDevice.objects.get(pk=pks[i]), request=request)
            except ChallengeNotAllowed:
                return False
            return True

        outcomes = race(THREADS, send)
        assert sum(outcomes) == 3
        assert SendRecord.objects.count() == 3
        assert len(fake_codes()) == 3 * (round_ + 1)

"""Devices that send a code first: hashed storage, single use, expiry, cooldown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from otp_example.models import ExampleChallengeDevice, outbox

from otp_core.challenges import ChallengeNotAllowed, issue_challenge
from otp_core.models import Challenge, GenerateNotAllowed
from otp_core.verification import verify

pytestmark = pytest.mark.django_db


def _raw_row(device) -> tuple:
    table = ExampleChallengeDevice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [device.pk])
        return cursor.fetchone()


def test_challenge_sends_a_code_and_stores_only_its_hash(challenge_device):
    challenge = challenge_device.generate_challenge()
    assert isinstance(challenge, Challenge)
    assert str(challenge) == "Code sent."
    assert len(outbox) == 1
    code = outbox[0]
    assert len(code) == 6
    assert code.isdigit()

    # The caller's instance was updated by the shared path.
    assert challenge_device.token_hash
    assert challenge_device.valid_until is not None

    row = _raw_row(challenge_device)
    assert all(code not in str(value) for value in row)
    challenge_device.refresh_from_db()
    assert challenge_device.token_hash
    assert code not in challenge_device.token_hash
    assert challenge_device.valid_until is not None
    assert challenge_device.last_generated_at is not None
    assert code not in repr(challenge_device)


def test_code_is_valid_once(challenge_device):
    challenge_device.generate_challenge()
    code = outbox[-1]
    assert verify(challenge_device, code).accepted
    challenge_device.refresh_from_db()
    assert challenge_device.token_hash == ""
    assert challenge_device.valid_until is None
    assert not verify(challenge_device, code).accepted


def test_wrong_code_is_refused_and_keeps_the_pending_one(settings, challenge_device):
    settings.OTP_THROTTLE_FACTOR = 0
    challenge_device.generate_challenge()
    code = outbox[-1]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert not verify(challenge_device, wrong).accepted
    assert not verify(challenge_device, "").accepted
    assert verify(challenge_device, f"  {code} ").accepted


def test_new_challenge_replaces_the_old_code(challenge_device):
    challenge_device.generate_challenge()
    challenge_device.generate_challenge()
    first, second = outbox
    challenge_device.refresh_from_db()
    # Only the newest code is pending (the two codes may collide by chance).
    assert verify(challenge_device, first).accepted is (first == second)
    if first != second:
        challenge_device.throttle_reset()
        assert verify(challenge_device, second).accepted


def test_code_expires_at_valid_until(monkeypatch, challenge_device):
    challenge_device.generate_challenge()
    code = outbox[-1]
    challenge_device.refresh_from_db()
    valid_until = challenge_device.valid_until
    assert valid_until - challenge_device.last_generated_at == timedelta(seconds=300)

    monkeypatch.setattr(timezone, "now", lambda: valid_until)
    result = verify(challenge_device, code)
    assert not result.accepted
    assert result.reason == "mismatch"

    # Just before the end it would have been accepted.
    challenge_device.throttle_reset()
    challenge_device.generate_challenge()
    code = outbox[-1]
    challenge_device.refresh_from_db()
    end = challenge_device.valid_until
    monkeypatch.setattr(timezone, "now", lambda: end - timedelta(microseconds=1))
    assert verify(challenge_device, code).accepted


def test_no_pending_code_refuses_everything(challenge_device):
    assert not verify(challenge_device, "123456").accepted


def test_cooldown_refuses_a_second_challenge(monkeypatch, challenge_device):
    monkeypatch.setattr(ExampleChallengeDevice, "get_cooldown", lambda self: 60)
    challenge_device.generate_challenge()
    with pytest.raises(ChallengeNotAllowed) as info:
        challenge_device.generate_challenge()
    details = info.value.details
    assert details["reason"] == GenerateNotAllowed.COOLDOWN_DURATION_PENDING
    challenge_device.refresh_from_db()
    assert details["next_generation_at"] == challenge_device.last_generated_at + timedelta(
        seconds=60
    )
    assert len(outbox) == 1
    # The message names the reason, never a code.
    assert outbox[0] not in str(info.value)

    # After the cooldown a new code may be sent.
    later = details["next_generation_at"]
    monkeypatch.setattr(timezone, "now", lambda: later)
    challenge_device.generate_challenge()
    assert len(outbox) == 2


def test_cooldown_holds_for_a_stale_instance(monkeypatch, challenge_device):
    monkeypatch.setattr(ExampleChallengeDevice, "get_cooldown", lambda self: 60)
    stale = ExampleChallengeDevice.objects.get(pk=challenge_device.pk)
    challenge_device.generate_challenge()
    with pytest.raises(ChallengeNotAllowed):
        stale.generate_challenge()
    assert len(outbox) == 1


def test_non_interactive_device_has_no_challenge(device):
    assert device.generate_challenge() is None
    assert issue_challenge(device) is None


def test_challenge_not_allowed_without_details():
    exc = ChallengeNotAllowed(None)
    assert exc.details == {}
    assert str(exc) == "not allowed"

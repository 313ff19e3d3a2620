"""No token, code or key ever reaches a log record or an error message."""

from __future__ import annotations

import logging

import pytest
from otp_example.models import outbox

from otp_core.challenges import issue_challenge
from otp_core.verification import verify

pytestmark = pytest.mark.django_db


def _everything_logged(caplog) -> str:
    return "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records
    )


def test_verification_logs_name_the_device_never_the_token_or_key(
    caplog, settings, device, otp_code
):
    settings.OTP_LOCKOUT_FAILURES = 2
    settings.OTP_THROTTLE_FACTOR = 0
    caplog.set_level(logging.DEBUG)
    good = otp_code(device)
    wrong = f"{(int(good) + 1) % 10**6:06d}"
    assert not verify(device, wrong).accepted
    assert not verify(device, wrong).accepted  # reaches the lock-out: a warning
    logged = _everything_logged(caplog)
    assert device.persistent_id in logged
    assert "locked out" in logged
    for secret in (wrong, good, device.key, device.key.upper()):
        assert secret not in logged


def test_sent_codes_are_not_logged_by_the_core(caplog, challenge_device):
    caplog.set_level(logging.DEBUG)
    issue_challenge(challenge_device)
    assert not verify(challenge_device, "000000x").accepted
    assert outbox[-1] not in _everything_logged(caplog)

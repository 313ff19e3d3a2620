"""Throttling: a doubling delay after failures, a hard lock, and what lifts them."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.management import call_command
from django.utils import timezone

from otp_core.conf import otp_settings
from otp_core.models import VerifyNotAllowed
from otp_core.verification import verify

pytestmark = pytest.mark.django_db

WRONG = "000000"


class Clock:
    """A stand-in for ``django.utils.timezone.now`` that moves only when told."""

    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 0, tzinfo=dt_timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def wrong(device, otp_code):
    """A six-digit code that is not among the device's next valid ones."""
    valid = {otp_code(device, i) for i in range(3)}
    return next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in valid)


def test_defaults_match_django_otp():
    assert otp_settings.OTP_THROTTLE_FACTOR == 1
    assert otp_settings.OTP_LOCKOUT_FAILURES == 100


@pytest.mark.parametrize("factor", [1, 3, 0.5])
def test_delay_doubles_after_each_failure(settings, clock, device, wrong, factor):
    settings.OTP_THROTTLE_FACTOR = factor
    # The first failure costs nothing: the very next try is checked at once.
    assert verify(device, wrong).reason == "mismatch"
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert device.throttled_until() is None
    assert device.verify_is_allowed() == (True, None)
    # From the second on: django-otp's sequence, factor * 2 ** (n - 1).
    for n, multiple in enumerate([2, 4, 8, 16], start=2):
        result = verify(device, wrong)
        assert result.reason == "mismatch"
        device.refresh_from_db()
        assert device.throttling_failure_count == n
        delay = factor * multiple
        assert device.throttled_until() == clock.now + timedelta(seconds=delay)

        # Just before the delay is over: refused without checking.
        clock.advance(delay - 0.01)
        refused = verify(device, wrong)
        assert not refused.accepted
        assert refused.reason == VerifyNotAllowed.N_FAILED_ATTEMPTS.value
        assert refused.details["failure_count"] == n
        assert refused.details["locked_until"] == device.throttled_until()
        device.refresh_from_db()
        assert device.throttling_failure_count == n  # a refusal counts nothing

        clock.advance(0.01)  # now exactly at the end of the delay
        assert device.verify_is_allowed() == (True, None)


def test_factor_zero_disables_the_delay(settings, clock, device, wrong, otp_code):
    settings.OTP_THROTTLE_FACTOR = 0
    for _ in range(20):
        assert verify(device, wrong).reason == "mismatch"
    device.refresh_from_db()
    assert device.throttling_failure_count == 20
    assert device.throttled_until() is None
    assert verify(device, otp_code(device)).accepted


def test_throttled_right_token_is_not_accepted_and_counts_nothing(clock, device, wrong, otp_code):
    verify(device, wrong)
    clock.advance(1)
    verify(device, wrong)
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    good = otp_code(device)

    result = verify(device, good)
    assert not result.accepted
    assert result.reason == VerifyNotAllowed.N_FAILED_ATTEMPTS.value
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    assert device.counter == 0  # the code was not consumed either
    assert device.last_used_at is None

    clock.advance(2)
    assert verify(device, good).accepted


def test_success_resets_the_throttle(clock, device, wrong, otp_code):
    for _ in range(3):
        verify(device, wrong)
        clock.advance(10)
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    assert verify(device, otp_code(device)).accepted
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert device.throttling_failure_timestamp is None
    # The sequence starts again: the next failure is free, the one after waits.
    verify(device, wrong)
    device.refresh_from_db()
    assert device.throttled_until() is None
    verify(device, wrong)
    device.refresh_from_db()
    assert device.throttled_until() == clock.now + timedelta(seconds=2)


def test_hard_lock_after_lockout_failures(settings, clock, device, wrong, otp_code, signal_log):
    settings.OTP_LOCKOUT_FAILURES = 5
    for _ in range(5):
        assert verify(device, wrong).reason == "mismatch"
        clock.advance(3600)
    device.refresh_from_db()
    assert device.is_locked_out
    locked_events = [e for e in signal_log if e[0] == "device_locked_out"]
    assert len(locked_events) == 1
    assert locked_events[0][1]["device"].pk == device.pk

    # No amount of waiting lifts it, and the right code is refused.
    clock.advance(10 * 365 * 86400)
    result = verify(device, otp_code(device))
    assert not result.accepted
    assert result.reason == VerifyNotAllowed.LOCKED_OUT.value
    assert result.details["failure_count"] == 5
    device.refresh_from_db()
    assert device.throttling_failure_count == 5
    assert device.counter == 0
    # Refusals while locked do not announce the lock again.
    assert len([e for e in signal_log if e[0] == "device_locked_out"]) == 1


def test_default_lockout_is_at_one_hundred_failures(clock, device, wrong):
    device.throttling_failure_count = 98
    device.throttling_failure_timestamp = clock.now - timedelta(days=1)
    device.save()
    clock.advance(2**32 + 1)  # beyond any delay the count could give
    assert verify(device, wrong).reason == "mismatch"
    device.refresh_from_db()
    assert device.throttling_failure_count == 99
    assert not device.is_locked_out
    clock.advance(2**32 + 1)
    verify(device, wrong)
    device.refresh_from_db()
    assert device.throttling_failure_count == 100
    assert device.is_locked_out
    clock.advance(2**32 + 1)
    assert verify(device, wrong).reason == VerifyNotAllowed.LOCKED_OUT.value


def test_lockout_zero_disables_the_lock(settings, clock, device, wrong, otp_code):
    settings.OTP_LOCKOUT_FAILURES = 0
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 0  # the account lock is tested on its own
    settings.OTP_THROTTLE_FACTOR = 0
    for _ in range(150):
        verify(device, wrong)
    device.refresh_from_db()
    assert device.throttling_failure_count == 150
    assert not device.is_locked_out
    assert verify(device, otp_code(device)).accepted


@pytest.mark.parametrize("factor", [1, 1000, 10**9])
def test_huge_failure_count_does_not_overflow(settings, clock, device, factor):
    settings.OTP_THROTTLE_FACTOR = factor
    settings.OTP_LOCKOUT_FAILURES = 0
    device.throttling_failure_count = 10**6
    device.throttling_failure_timestamp = clock.now
    allowed, details = device.verify_is_allowed()
    assert allowed is False
    assert details["reason"] is VerifyNotAllowed.N_FAILED_ATTEMPTS
    assert details["locked_until"] > clock.now + timedelta(days=365 * 100)
    # Through the shared path too: a refusal, not an OverflowError (a 500).
    device.save()
    assert verify(device, "123456").reason == VerifyNotAllowed.N_FAILED_ATTEMPTS.value


def test_otp_unlock_lifts_the_lock(settings, clock, user, device, wrong, otp_code):
    settings.OTP_LOCKOUT_FAILURES = 3
    settings.OTP_THROTTLE_FACTOR = 0
    for _ in range(3):
        verify(device, wrong)
    device.refresh_from_db()
    assert device.is_locked_out
    call_command("otp_unlock", user.username, stdout=open("/dev/null", "w"))  # noqa: SIM115
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert device.throttling_failure_timestamp is None
    assert verify(device, otp_code(device)).accepted


def test_throttle_helpers_commit_when_asked(device):
    device.throttle_increment()
    device.throttle_increment()
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    assert device.throttling_failure_timestamp is not None
    device.throttle_reset(commit=False)
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    device.throttle_reset()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_signals_carry_device_request_and_reason(rf, clock, device, wrong, otp_code, signal_log):
    from otp_example.models import ExampleDevice

    request = rf.get("/")
    verify(device, wrong, request=request)
    verify(device, wrong, request=request)  # the first failure is free: a mismatch
    verify(device, wrong, request=request)  # throttled
    clock.advance(2)
    verify(device, otp_code(device), request=request)

    names = [name for name, _ in signal_log]
    assert names == [
        "verification_failed",
        "verification_failed",
        "verification_failed",
        "verification_succeeded",
    ]
    mismatch, _second, throttled, success = (kwargs for _, kwargs in signal_log)
    for kwargs in (mismatch, throttled, success):
        assert kwargs["sender"] is ExampleDevice
        assert kwargs["device"] is device
        assert kwargs["request"] is request
    assert mismatch["reason"] == "mismatch"
    assert throttled["reason"] == VerifyNotAllowed.N_FAILED_ATTEMPTS.value
    assert "reason" not in success

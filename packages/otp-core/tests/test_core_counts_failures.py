"""``Device.counts_failures``: refusals of answers nobody can guess are no guesses.

Whoever knows a WebAuthn credential id can post assertions that fail; if each
counted as a guess, they could throttle the key and lock the owner's account.
A device class with ``counts_failures = False`` keeps its refusals off both
counters, while a locked account still refuses it.
"""

from __future__ import annotations

import pytest
from otp_example.models import HardwareExampleDevice

from otp_core.models import AccountThrottle, Device
from otp_core.verification import verify, verify_any

pytestmark = pytest.mark.django_db


@pytest.fixture
def unguessable(monkeypatch, settings):
    """The hardware example device, declared as taking unguessable answers."""
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 3
    settings.OTP_LOCKOUT_FAILURES = 3
    settings.OTP_THROTTLE_FACTOR = 0  # no delay between the attempts of a test
    monkeypatch.setattr(HardwareExampleDevice, "counts_failures", False)


def test_codes_count_failures_by_default():
    assert Device.counts_failures is True


def account_failures(user) -> int:
    row = AccountThrottle.objects.filter(user=user).first()
    return row.failure_count if row else 0


def test_refusals_count_on_neither_the_device_nor_the_account(unguessable, user, hw_device):
    for _ in range(10):
        result = verify(hw_device, "000000x")
        assert not result.accepted
        assert result.reason == "mismatch"
    hw_device.refresh_from_db()
    assert hw_device.throttling_failure_count == 0
    assert not hw_device.is_locked_out
    assert account_failures(user) == 0
    assert not AccountThrottle.objects.filter(user=user, locked_at__isnull=False).exists()


def test_a_code_device_still_counts_beside_it(unguessable, user, device, hw_device, otp_code):
    verify(device, "000000x")
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert account_failures(user) == 1
    # verify_any: a guess counts once when a code device checked it.
    verify_any([device, hw_device], "000000x")
    assert account_failures(user) == 2


def test_verify_any_over_unguessable_devices_only_counts_nothing(unguessable, user, hw_device):
    for _ in range(5):
        assert verify_any([hw_device], "000000x")[0] is None
    assert account_failures(user) == 0


def test_a_locked_account_still_refuses_the_unguessable_device(
    unguessable, user, device, hw_device, otp_code
):
    for _ in range(3):
        verify(device, "000000x")
    assert AccountThrottle.objects.get(user=user).is_locked
    result = verify(hw_device, otp_code(hw_device))
    assert not result.accepted
    assert result.reason == "ACCOUNT_LOCKED"
    hw_device.refresh_from_db()
    assert hw_device.counter == 0


def test_a_success_still_resets_the_account_count(unguessable, user, device, hw_device, otp_code):
    verify(device, "000000x")
    assert account_failures(user) == 1
    assert verify(hw_device, otp_code(hw_device)).accepted
    assert account_failures(user) == 0

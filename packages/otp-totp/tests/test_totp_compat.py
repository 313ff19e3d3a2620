"""django-otp compatibility of TOTPDevice (issue 12): int tokens, unsaved devices, stamps."""

from __future__ import annotations

import base64
import secrets
import time

import pyotp
import pytest
from django.utils import timezone

from otp_core.testing import OTPTestCase, TestThread, ThrottlingTestMixin
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def device_with_leading_zero(user, make_totp, mid_step_t0, pyotp_code, digits=6):
    """A device whose current code starts with 0 (one in ten keys)."""
    for _ in range(500):
        device = make_totp(user, key=secrets.token_hex(20), digits=digits, t0=mid_step_t0(30))
        if pyotp_code(device).startswith("0"):
            return device
        device.delete()
    raise AssertionError("no key with a leading-zero code in 500 tries")


def test_an_int_token_is_accepted_once(user, totp_device, pyotp_code):
    code = int(pyotp_code(totp_device))
    assert totp_device.verify_token(code)
    assert not totp_device.verify_token(code)  # the replay guard holds for ints too


@pytest.mark.parametrize("digits", [6, 8])
def test_an_int_token_with_a_leading_zero_matches(user, make_totp, mid_step_t0, pyotp_code, digits):
    device = device_with_leading_zero(user, make_totp, mid_step_t0, pyotp_code, digits)
    code = pyotp_code(device)
    # django-otp compares ints: 012345 arrives as 12345. Ours pads to the device's digits.
    assert device.verify_token(int(code))


def test_an_int_does_not_bypass_the_digit_count(settings, user, make_totp, mid_step_t0, pyotp_code):
    settings.OTP_THROTTLE_FACTOR = 0  # every attempt below is checked, none refused unchecked
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = device_with_leading_zero(user, make_totp, mid_step_t0, pyotp_code)
    code = pyotp_code(device)
    # The same code with an extra leading digit, or negative, is refused.
    for wrong in (int("1" + code), -int(code), int(code) + 10**6):
        assert not device.verify_token(wrong)
    # A 5-digit string is not padded: only ints stand for their digits.
    assert not device.verify_token(code[1:])
    device.refresh_from_db()
    assert device.throttling_failure_count == 4


def test_a_bool_is_not_an_int_token(user, totp_device):
    assert not totp_device.verify_token(True)


def test_verify_token_on_an_unsaved_device_is_a_clear_error(user, pyotp_code):
    device = TOTPDevice(user=user, name="phone", key=secrets.token_hex(20))
    with pytest.raises(ValueError, match="unsaved TOTPDevice: save"):
        device.verify_token(pyotp_code(device))
    assert not TOTPDevice.objects.exists()


def test_set_last_used_timestamp(user, totp_device):
    before = timezone.now()
    totp_device.set_last_used_timestamp(commit=False)
    assert totp_device.last_used_at >= before
    assert TOTPDevice.objects.get(pk=totp_device.pk).last_used_at is None
    totp_device.set_last_used_timestamp()
    assert TOTPDevice.objects.get(pk=totp_device.pk).last_used_at == totp_device.last_used_at


# -- django-otp's test helpers, from otp_core.testing, on our TOTP device --------------


def _mid_step_t0() -> int:
    return (int(time.time()) + 15) % 30


def _code(device: TOTPDevice) -> str:
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode()).at(int(time.time() - device.t0))


class TOTPThrottlingTest(ThrottlingTestMixin, OTPTestCase):
    def setUp(self):
        self.user = self.create_user("carol", "secret")
        self.device = TOTPDevice.objects.create(
            user=self.user, name="phone", key=secrets.token_hex(20), t0=_mid_step_t0()
        )

    def valid_token(self):
        return _code(self.device)

    def invalid_token(self):
        return "-1"


@pytest.mark.django_db(transaction=True)
def test_test_thread_verifies_and_closes_its_connection(user):
    device = TOTPDevice.objects.create(
        user=user, name="phone", key=secrets.token_hex(20), t0=_mid_step_t0()
    )
    results = []
    thread = TestThread(target=lambda: results.append(device.verify_token(_code(device))))
    thread.start()
    thread.join()
    assert results == [True]
    device.refresh_from_db()
    assert device.last_used_at is not None

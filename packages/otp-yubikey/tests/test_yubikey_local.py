"""Local YubiKey devices through otp-core's verification path."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from otp_core.models import VerifyNotAllowed
from otp_core.verification import verify
from otp_yubikey.models import YubikeyDevice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.OTP_YUBIKEY_THROTTLE_FACTOR = 0


def test_an_otp_is_accepted_once(local_device, key):
    otp = key.otp()
    assert verify(local_device, otp).accepted
    local_device.refresh_from_db()
    assert (local_device.session, local_device.counter) == (1, 1)
    assert verify(local_device, otp).reason == "mismatch"


def test_a_fresh_device_accepts_the_first_otp_of_a_new_key(local_device, key):
    assert verify(local_device, key.otp(0, 0)).accepted


def test_counters_must_rise_strictly(local_device, key):
    assert verify(local_device, key.otp(3, 5)).accepted
    assert not verify(local_device, key.otp(3, 5)).accepted  # same pair
    assert not verify(local_device, key.otp(3, 4)).accepted  # older use
    assert not verify(local_device, key.otp(2, 200)).accepted  # older session
    assert verify(local_device, key.otp(3, 6)).accepted
    assert verify(local_device, key.otp(4, 0)).accepted  # new session, counter restarts


def test_caps_lock_bit_is_not_part_of_the_counter(local_device, key):
    # django-otp-yubikey stores 0x8003 here, then refuses every later OTP
    # typed without caps lock; Yubico's spec masks the bit.
    assert verify(local_device, key.otp(3, 1, caps_lock=True)).accepted
    local_device.refresh_from_db()
    assert local_device.session == 3
    assert verify(local_device, key.otp(3, 2)).accepted
    assert not verify(local_device, key.otp(3, 2, caps_lock=True)).accepted


def test_upper_case_and_spaces_are_tolerated(local_device, key):
    assert verify(local_device, f"  {key.otp().upper()}\n").accepted


@pytest.mark.parametrize(
    "variant",
    ["other_public_id", "other_key", "other_uid", "no_public_id"],
)
def test_otps_of_another_key_are_refused(local_device, key, variant):
    otp = {
        "other_public_id": key.otp(public_id="vvccccdfhnfl"),
        "other_key": key.otp(aes="00" * 16),
        "other_uid": key.otp(uid="000000000000"),
        "no_public_id": key.otp(public_id=""),
    }[variant]
    result = verify(local_device, otp)
    assert (result.accepted, result.reason) == (False, "mismatch")
    local_device.refresh_from_db()
    assert (local_device.session, local_device.counter) == (-1, -1)
    assert local_device.throttling_failure_count == 1


@pytest.mark.parametrize(
    "token",
    ["", "x" * 44, "c" * 31, "c" * 200, "cccccccccccc" + "é" * 32, "\x00" * 44, "123456"],
)
def test_malformed_input_is_a_refusal(local_device, token):
    assert verify(local_device, token).reason == "mismatch"


def test_non_string_token_is_a_refusal(local_device):
    assert not verify(local_device, None).accepted  # type: ignore[arg-type]


def test_key_is_encrypted_at_rest_and_absent_from_logs(local_device, key, caplog):
    caplog.set_level(logging.DEBUG)
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        table = quote(YubikeyDevice._meta.db_table)
        cursor.execute(f"SELECT {quote('key')} FROM {table} WHERE id = %s", [local_device.pk])
        stored = cursor.fetchone()[0]
    assert key.aes not in stored
    otp = key.otp(public_id="vvccccdfhnfl")
    verify(local_device, otp)
    assert otp not in caplog.text
    assert key.aes not in caplog.text
    assert key.aes not in repr(local_device)
    assert key.aes not in str(local_device)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("private_id", "0011223344"),
        ("private_id", "zz1122334455"),
        ("key", "00" * 15),
        ("public_id", "abcdef"),
        ("public_id", "c"),
    ],
)
def test_field_validation(local_device, field, value):
    setattr(local_device, field, value)
    with pytest.raises(ValidationError) as info:
        local_device.full_clean()
    assert field in info.value.message_dict


def test_throttling_and_factor_kind(local_device, key, settings):
    settings.OTP_YUBIKEY_THROTTLE_FACTOR = 10
    assert not verify(local_device, key.otp(public_id="vvccccdfhnfl")).accepted
    assert not verify(local_device, key.otp(public_id="vvccccdfhnfl")).accepted  # 1st was free
    assert verify(local_device, key.otp()).reason == VerifyNotAllowed.N_FAILED_ATTEMPTS.value
    assert local_device.factor_kind == "otp"


def test_the_docs_example_runs_as_written(user, make_key):
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[3] / "docs" / "otp-yubikey.rst"
    [example] = re.findall(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", page.read_text())
    key = make_key("vvccccdfhnfk", uid="8792ebfe26cc", aes="ecde18dbe76fbd0c33330f1c354871db")
    code = "\n".join(line[3:] for line in example.splitlines())
    exec(compile(code, str(page), "exec"), {"user": user, "otp": key.otp()})
    assert YubikeyDevice.objects.get().counter == key.counter

"""TOTPDevice against independent oracles, and its replay guard, drift, throttle."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.db import connection

from otp_core.verification import verify
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PARAMS = [
    (alg, digits, step)
    for alg in ("sha1", "sha256", "sha512")
    for digits in (6, 8)
    for step in (30, 60)
]


@pytest.mark.parametrize(("algorithm", "digits", "step"), PARAMS)
def test_pyotp_codes_verify(user, algorithm, digits, step, make_totp, mid_step_t0, pyotp_code):
    device = make_totp(user, algorithm=algorithm, digits=digits, step=step, t0=mid_step_t0(step))
    assert device.verify_token(pyotp_code(device))
    device.refresh_from_db()
    assert device.last_t == (int(time.time()) - device.t0) // step


@pytest.mark.oathtool
@pytest.mark.parametrize(("algorithm", "digits", "step"), PARAMS)
def test_oathtool_codes_verify(
    user, algorithm, digits, step, make_totp, mid_step_t0, oathtool_code, pyotp_code
):
    device = make_totp(user, algorithm=algorithm, digits=digits, step=step, t0=mid_step_t0(step))
    code = oathtool_code(device)
    assert code == pyotp_code(device)
    assert device.verify_token(code)


def test_large_t0_and_rfc_vector(user, make_totp):
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits), time step 1,
    # shifted by t0. Aim at the middle of step 1 (45 s after t0), not its last
    # second, so a slow machine still verifies within the same step.
    device = make_totp(
        user, key="3132333435363738393031323334353637383930", digits=8, t0=int(time.time()) - 45
    )
    device.tolerance = 0
    device.save()
    assert device.verify_token("94287082")


def test_wrong_and_malformed_codes_fail(totp_device, pyotp_code):
    good = pyotp_code(totp_device)
    wrong = f"{(int(good) + 1) % 10**6:06d}"
    for token in (wrong, "", "12345", "1234567", "abcdef", "\uff11\uff12\uff13\uff14\uff15\uff16"):
        assert not totp_device.verify_token(token)
        totp_device.throttle_reset()


def test_replay_refused(totp_device, pyotp_code):
    code = pyotp_code(totp_device)
    assert totp_device.verify_token(code)
    assert not totp_device.verify_token(code)
    assert verify(totp_device, code).reason in ("mismatch", "N_FAILED_ATTEMPTS")


def test_code_at_or_before_last_t_refused(totp_device, pyotp_code):
    now_t = (int(time.time()) - totp_device.t0) // 30
    totp_device.last_t = now_t
    totp_device.save()
    assert not totp_device.verify_token(pyotp_code(totp_device))
    assert not totp_device.verify_token(pyotp_code(totp_device, offset_steps=-1))


def test_next_step_accepted_after_current(totp_device, pyotp_code):
    assert totp_device.verify_token(pyotp_code(totp_device))
    assert totp_device.verify_token(pyotp_code(totp_device, offset_steps=1))


def test_drift_learned_with_sync(totp_device, settings, pyotp_code):
    settings.OTP_TOTP_SYNC = True
    assert totp_device.verify_token(pyotp_code(totp_device, offset_steps=1))
    totp_device.refresh_from_db()
    assert totp_device.drift == 1
    # Codes are now looked for around the drifted step: two steps ahead is in
    # the window (it would not be without the drift), and drift follows it.
    assert totp_device.verify_token(pyotp_code(totp_device, offset_steps=2))
    totp_device.refresh_from_db()
    assert totp_device.drift == 2


def test_drift_kept_without_sync(totp_device, settings, pyotp_code):
    settings.OTP_TOTP_SYNC = False
    assert totp_device.verify_token(pyotp_code(totp_device, offset_steps=1))
    totp_device.refresh_from_db()
    assert totp_device.drift == 0


def test_current_step_does_not_change_drift(totp_device, settings, pyotp_code):
    settings.OTP_TOTP_SYNC = True
    totp_device.drift = 1
    totp_device.save()
    assert totp_device.verify_token(pyotp_code(totp_device, offset_steps=1))
    totp_device.refresh_from_db()
    assert totp_device.drift == 1


def test_outside_tolerance_refused(totp_device, pyotp_code):
    assert not totp_device.verify_token(pyotp_code(totp_device, offset_steps=2))
    totp_device.throttle_reset()
    assert not totp_device.verify_token(pyotp_code(totp_device, offset_steps=-2))


def test_throttling_through_shared_path(totp_device, settings, pyotp_code):
    settings.OTP_TOTP_THROTTLE_FACTOR = 10
    assert totp_device.get_throttle_factor() == 10
    good = pyotp_code(totp_device)
    bad = f"{(int(good) + 1) % 10**6:06d}"
    assert verify(totp_device, bad).reason == "mismatch"
    assert verify(totp_device, bad).reason == "mismatch"  # the first failure is free
    refused = verify(totp_device, good)
    assert not refused.accepted
    assert refused.reason == "N_FAILED_ATTEMPTS"
    totp_device.refresh_from_db()
    assert totp_device.throttling_failure_count == 2
    assert totp_device.last_t == -1


def test_throttle_factor_zero_disables_delay(totp_device, settings, pyotp_code):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    good = pyotp_code(totp_device)
    for _ in range(3):  # past the one free failure: still no delay
        assert not totp_device.verify_token(f"{(int(good) + 1) % 10**6:06d}")
    assert totp_device.verify_token(good)
    totp_device.refresh_from_db()
    assert totp_device.throttling_failure_count == 0


def test_key_not_in_database_in_clear(totp_device):
    from base64 import b32encode

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {TOTPDevice._meta.db_table} WHERE id = %s", [totp_device.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert totp_device.key not in row
    assert totp_device.key.upper() not in row
    assert b32encode(totp_device.bin_key).decode().rstrip("=") not in row
    assert TOTPDevice.objects.get(pk=totp_device.pk).key == totp_device.key


def test_default_key_is_random_20_bytes(user):
    a = TOTPDevice.objects.create(user=user, name="a")
    b = TOTPDevice.objects.create(user=user, name="b")
    assert len(a.bin_key) == 20
    assert a.key != b.key


def test_default_digits_from_setting(user, settings):
    settings.TWO_FACTOR_TOTP_DIGITS = 8
    assert TOTPDevice.objects.create(user=user, name="eight").digits == 8
    settings.TWO_FACTOR_TOTP_DIGITS = 6
    assert TOTPDevice.objects.create(user=user, name="six").digits == 6


def test_config_url_parses_with_pyotp(totp_device, settings):
    settings.OTP_TOTP_ISSUER = "Example: Corp"
    settings.OTP_TOTP_IMAGE = "https://example.com/logo.png"
    totp_device.algorithm = "sha256"
    totp_device.digits = 8
    totp_device.step = 60
    uri = totp_device.config_url
    assert uri.startswith("otpauth://totp/")
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == pyotp.TOTP(parsed.secret).secret
    assert parsed.name == "alice"
    assert parsed.issuer == "Example Corp"
    assert parsed.digits == 8
    assert parsed.interval == 60
    assert parsed.digest().name == "sha256"
    assert "image=https%3A%2F%2Fexample.com%2Flogo.png" in uri
    assert parsed.byte_secret() == totp_device.bin_key


def test_issuer_callable_and_none(totp_device, settings):
    settings.OTP_TOTP_ISSUER = lambda device: f"Site of {device.user.get_username()}"
    assert pyotp.parse_uri(totp_device.config_url).issuer == "Site of alice"
    settings.OTP_TOTP_ISSUER = None
    uri = totp_device.config_url
    assert "issuer" not in uri
    assert pyotp.parse_uri(uri).issuer is None


def test_qr_code_is_svg(totp_device):
    from xml.etree import ElementTree

    svg = str(totp_device.qr_code())
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert totp_device.key not in svg
    assert totp_device.secret_key.replace(" ", "") not in svg


def test_repr_and_str_hold_no_secret(totp_device):
    assert totp_device.key not in repr(totp_device)
    assert totp_device.key not in str(totp_device)

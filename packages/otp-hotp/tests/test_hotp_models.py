"""HOTPDevice against independent oracles; counter, window, resync, throttle."""

from __future__ import annotations

import pyotp
import pytest
from django.db import connection

from otp_core.verification import verify
from otp_hotp.models import HOTPDevice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
@pytest.mark.parametrize("digits", [6, 8])
def test_pyotp_codes_verify(user, algorithm, digits, make_hotp, pyotp_code):
    device = make_hotp(user, algorithm=algorithm, digits=digits, counter=7)
    for counter in (7, 8, 9):
        assert device.verify_token(pyotp_code(device, counter))
        device.refresh_from_db()
        assert device.counter == counter + 1


@pytest.mark.oathtool
@pytest.mark.parametrize("digits", [6, 8])
def test_oathtool_codes_verify(user, digits, make_hotp, oathtool_code, pyotp_code):
    device = make_hotp(user, digits=digits)
    for counter in range(3):
        code = oathtool_code(device, counter)
        assert code == pyotp_code(device, counter)
        assert device.verify_token(code)


def test_rfc4226_vectors(user, make_hotp):
    device = make_hotp(user, key="3132333435363738393031323334353637383930", tolerance=0)
    for code in ("755224", "287082", "359152", "969429", "338314"):
        assert device.verify_token(code)


def test_look_ahead_window(hotp_device, pyotp_code):
    assert hotp_device.tolerance == 5
    assert hotp_device.verify_token(pyotp_code(hotp_device, 5))
    hotp_device.refresh_from_db()
    assert hotp_device.counter == 6
    assert not hotp_device.verify_token(pyotp_code(hotp_device, 12))


def test_no_reuse_and_no_going_back(hotp_device, pyotp_code):
    code = pyotp_code(hotp_device, 2)
    assert hotp_device.verify_token(code)
    assert not hotp_device.verify_token(code)
    hotp_device.throttle_reset()
    assert not hotp_device.verify_token(pyotp_code(hotp_device, 1))


def test_throttling_through_shared_path(hotp_device, settings, pyotp_code):
    settings.OTP_HOTP_THROTTLE_FACTOR = 10
    good = pyotp_code(hotp_device, 0)
    bad = f"{(int(good) + 1) % 10**6:06d}"
    assert verify(hotp_device, bad).reason == "mismatch"
    assert verify(hotp_device, bad).reason == "mismatch"  # the first failure is free
    refused = verify(hotp_device, good)
    assert refused.reason == "N_FAILED_ATTEMPTS"
    hotp_device.refresh_from_db()
    assert hotp_device.counter == 0
    settings.OTP_HOTP_THROTTLE_FACTOR = 0
    assert hotp_device.verify_token(good)


def test_resync_from_two_consecutive_codes(hotp_device, pyotp_code):
    # The token was pressed 40 times without use: beyond the window of 5.
    code1, code2 = pyotp_code(hotp_device, 40), pyotp_code(hotp_device, 41)
    assert not hotp_device.verify_token(code1)
    assert not hotp_device.verify_token(code1)  # the first failure is free, not the second
    # Resync respects the throttle like any verification: wait it out.
    assert not hotp_device.resync(code1, code2)
    hotp_device.throttle_reset()
    assert hotp_device.resync(code1, code2)
    assert hotp_device.counter == 42
    hotp_device.refresh_from_db()
    assert hotp_device.counter == 42
    assert hotp_device.throttling_failure_count == 0
    assert hotp_device.verify_token(pyotp_code(hotp_device, 42))


def test_resync_refuses_non_consecutive_and_out_of_range(hotp_device, pyotp_code):
    assert not hotp_device.resync(pyotp_code(hotp_device, 10), pyotp_code(hotp_device, 12))
    hotp_device.throttle_reset()
    far = 150
    assert not hotp_device.resync(pyotp_code(hotp_device, far), pyotp_code(hotp_device, far + 1))
    hotp_device.throttle_reset()
    assert hotp_device.resync(
        pyotp_code(hotp_device, far), pyotp_code(hotp_device, far + 1), search=200
    )
    hotp_device.refresh_from_db()
    assert hotp_device.counter == far + 2


def test_resync_failure_counts_and_throttles(hotp_device, settings, pyotp_code):
    settings.OTP_HOTP_THROTTLE_FACTOR = 10
    assert not hotp_device.resync("000000", "000000")
    hotp_device.refresh_from_db()
    assert hotp_device.throttling_failure_count == 1
    assert not hotp_device.resync("000000", "000000")  # the first failure was free
    hotp_device.refresh_from_db()
    assert hotp_device.throttling_failure_count == 2
    assert not hotp_device.resync(pyotp_code(hotp_device, 3), pyotp_code(hotp_device, 4))
    hotp_device.refresh_from_db()
    assert hotp_device.counter == 0


def test_key_not_in_database_in_clear(hotp_device):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {HOTPDevice._meta.db_table} WHERE id = %s", [hotp_device.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert hotp_device.key not in row
    assert hotp_device.secret_key.replace(" ", "") not in row


def test_config_url_parses_with_pyotp(hotp_device, settings):
    settings.OTP_HOTP_ISSUER = lambda device: f"Tokens for {device.user.get_username()}"
    settings.OTP_HOTP_IMAGE = "https://example.com/logo.png"
    hotp_device.counter = 17
    hotp_device.digits = 8
    hotp_device.algorithm = "sha512"
    uri = hotp_device.config_url
    assert uri.startswith("otpauth://hotp/")
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.HOTP)
    assert parsed.initial_count == 17
    assert parsed.issuer == "Tokens for alice"
    assert parsed.name == "alice"
    assert parsed.digits == 8
    assert parsed.digest().name == "sha512"
    assert parsed.byte_secret() == hotp_device.bin_key
    settings.OTP_HOTP_ISSUER = None
    assert "issuer" not in hotp_device.config_url


def test_qr_code_is_svg(hotp_device):
    from xml.etree import ElementTree

    svg = str(hotp_device.qr_code())
    assert ElementTree.fromstring(svg).tag.endswith("svg")
    assert hotp_device.key not in svg

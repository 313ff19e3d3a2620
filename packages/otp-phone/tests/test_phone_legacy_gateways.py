"""django-two-factor-auth's gateway setting values keep working (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from otp_phone import checks
from otp_phone.gateways import gateway_for, load_gateway_class
from otp_phone.gateways.fake import Fake
from otp_phone.gateways.legacy import warn_legacy_settings
from otp_phone.gateways.twilio import Twilio

TEST_PROJECT = Path(__file__).resolve().parents[3] / "test_project"


@pytest.fixture(autouse=True)
def _legacy_values(settings):
    settings.DEBUG = True
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "t" * 32
    settings.TWILIO_CALLER_ID = "+15005550006"
    settings.OTP_PHONE_CALLBACK_BASE_URL = "https://example.com"
    settings.TWO_FACTOR_SMS_GATEWAY = "two_factor.gateways.twilio.gateway.Twilio"
    settings.TWO_FACTOR_CALL_GATEWAY = "two_factor.gateways.fake.Fake"


def test_old_values_load_our_gateways():
    assert load_gateway_class("two_factor.gateways.twilio.gateway.Twilio") is Twilio
    assert load_gateway_class("two_factor.gateways.fake.Fake") is Fake
    assert isinstance(gateway_for("sms"), Twilio)
    assert isinstance(gateway_for("call"), Fake)


def test_old_values_pass_the_checks():
    assert [m.id for m in checks.check_gateways()] == []


def test_old_values_warn_with_the_new_value():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert warn_legacy_settings() == ["TWO_FACTOR_SMS_GATEWAY", "TWO_FACTOR_CALL_GATEWAY"]
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert len(messages) == 2
    assert "set TWO_FACTOR_SMS_GATEWAY = 'twilio'" in messages[0]
    assert "set TWO_FACTOR_CALL_GATEWAY = 'fake'" in messages[1]


def test_our_values_do_not_warn(settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "twilio"
    settings.TWO_FACTOR_CALL_GATEWAY = None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_legacy_settings() == []


def test_start_up_warns_once_and_check_passes(tmp_path):
    (tmp_path / "legacy_settings.py").write_text(
        "from test_project.settings import *  # noqa\n"
        "TWO_FACTOR_SMS_GATEWAY = 'two_factor.gateways.fake.Fake'\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "legacy_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(TEST_PROJECT)]),
        "OTP_DB": "sqlite",
        "OTP_DB_NAME": str(tmp_path / "db.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", "-m", "django", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert result.stderr.count("TWO_FACTOR_SMS_GATEWAY = 'two_factor.gateways.fake.Fake'") == 1

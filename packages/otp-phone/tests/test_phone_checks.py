"""System checks of otp-phone."""

from __future__ import annotations

import pytest

from otp_phone import checks


@pytest.fixture(autouse=True)
def _no_project_gateways(settings):
    # Start from the package defaults, whatever the test project configures.
    settings.TWO_FACTOR_SMS_GATEWAY = None
    settings.TWO_FACTOR_CALL_GATEWAY = None


def ids(messages):
    return [m.id for m in messages]


def test_no_gateway_warns():
    assert ids(checks.check_gateways()) == ["otp_phone.W002"]


def test_fake_without_debug_warns(settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "fake"
    settings.DEBUG = True
    assert checks.check_gateways() == []
    settings.DEBUG = False
    assert ids(checks.check_gateways()) == ["otp_phone.W001"]


def test_unloadable_gateway_is_an_error(settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "two_factor.gateways.nosuch.Gateway"
    settings.TWO_FACTOR_CALL_GATEWAY = "nosuchname"
    assert ids(checks.check_gateways()) == ["otp_phone.E001", "otp_phone.E001"]


def test_twilio_needs_credentials(settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "twilio"
    assert ids(checks.check_gateways()) == ["otp_phone.E003"]
    settings.TWILIO_ACCOUNT_SID = "AC1"
    settings.TWILIO_AUTH_TOKEN = "t"
    settings.TWILIO_CALLER_ID = "+15005550006"
    assert checks.check_gateways() == []


def test_twilio_without_signature_validation_warns(settings):
    settings.OTP_PHONE_VALIDATE_TWILIO_SIGNATURE = False
    # Without the Twilio gateway the setting does not matter.
    assert ids(checks.check_gateways()) == ["otp_phone.W002"]
    settings.TWO_FACTOR_CALL_GATEWAY = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC1"
    settings.TWILIO_AUTH_TOKEN = "t"
    settings.TWILIO_CALLER_ID = "+15005550006"
    settings.OTP_PHONE_CALLBACK_BASE_URL = "https://otp.example.com"
    assert ids(checks.check_gateways()) == ["otp_phone.W003"]
    settings.OTP_PHONE_VALIDATE_TWILIO_SIGNATURE = True
    assert checks.check_gateways() == []


def test_numbers(settings):
    assert checks.check_numbers() == []
    settings.TWO_FACTOR_TOTP_DIGITS = 7
    settings.OTP_PHONE_TOKEN_VALIDITY = 0
    settings.TWO_FACTOR_PHONE_THROTTLE_FACTOR = "1"
    settings.PHONENUMBER_DEFAULT_REGION = "XX"
    settings.OTP_PHONE_CALLBACK_BASE_URL = "example.com"
    assert ids(checks.check_numbers()) == [
        "otp_phone.E002",
        "otp_phone.E002",
        "otp_phone.E005",
        "otp_phone.E006",
        "otp_phone.E007",
    ]


def twilio_configured(settings):
    settings.TWILIO_ACCOUNT_SID = "AC1"
    settings.TWILIO_AUTH_TOKEN = "t"
    settings.TWILIO_CALLER_ID = "+15005550006"


def test_call_gateway_with_callbacks_needs_the_base_url(settings):
    # Issue 8: no base URL, no call URL from the request's Host: an error.
    twilio_configured(settings)
    settings.TWO_FACTOR_CALL_GATEWAY = "twilio"
    assert ids(checks.check_gateways()) == ["otp_phone.E010"]
    settings.OTP_PHONE_CALLBACK_BASE_URL = "https://otp.example.com"
    assert checks.check_gateways() == []


def test_gateways_without_callbacks_need_no_base_url(settings):
    twilio_configured(settings)
    settings.TWO_FACTOR_SMS_GATEWAY = "twilio"  # text messages fetch nothing
    settings.TWO_FACTOR_CALL_GATEWAY = "fake"
    settings.DEBUG = True
    assert checks.check_gateways() == []


@pytest.mark.parametrize(
    "value", ["NL", ["NL", "XX"], [], 31, ("nl",)], ids=["str", "unknown", "empty", "int", "lower"]
)
def test_allowed_regions_must_be_known_region_codes(value, settings):
    settings.OTP_PHONE_ALLOWED_REGIONS = value
    assert ids(checks.check_numbers()) == ["otp_phone.E008"]


def test_allowed_regions_accepts_a_list_or_none(settings):
    settings.OTP_PHONE_ALLOWED_REGIONS = ["NL", "BE"]
    assert checks.check_numbers() == []
    settings.OTP_PHONE_ALLOWED_REGIONS = None
    assert checks.check_numbers() == []


@pytest.mark.parametrize("value", ["MOBILE", [], ["MOBILE", "CELL"], None])
def test_allowed_number_types_must_be_type_names(value, settings):
    settings.OTP_PHONE_ALLOWED_NUMBER_TYPES = value
    assert ids(checks.check_numbers()) == ["otp_phone.E009"]


@pytest.mark.parametrize("risky", ["PREMIUM_RATE", "SHARED_COST", "PERSONAL_NUMBER", "UNKNOWN"])
def test_allowing_a_non_personal_number_type_warns(risky, settings):
    settings.OTP_PHONE_ALLOWED_NUMBER_TYPES = ["MOBILE", risky]
    [warning] = checks.check_numbers()
    assert warning.id == "otp_phone.W004"
    assert risky in warning.msg

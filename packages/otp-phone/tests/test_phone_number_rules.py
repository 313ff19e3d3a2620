"""Issue 8: set-up refuses numbers that are nobody's own line, and other regions."""

from __future__ import annotations

import pytest

from otp_phone.forms import PhoneNumberStep
from otp_phone.models import PhoneDevice

pytestmark = pytest.mark.django_db

TYPE_ERROR = (
    "Codes cannot be sent to this kind of number (such as premium-rate or shared-cost "
    "numbers). Please enter a mobile or landline number."
)


def submit(user, number):
    form = PhoneNumberStep({"number": number, "method": "sms"}, user=user, state={})
    return form.is_valid(), form.errors


@pytest.mark.parametrize(
    "number",
    [
        "+44 909 879 0000",  # UK 09xx premium rate
        "+43 900 123456",  # AT 0900 premium rate
        "+33 8 91 23 45 67",  # FR 089x premium rate
        "+31 900 123456",  # NL 0900 premium rate
        "+44 843 123 4567",  # UK 084x (shared cost)
        "+44 70 1234 5678",  # UK 070 "personal" follow-me number
        "+1 500 555 0006",  # US 500 personal number
    ],
)
def test_non_personal_numbers_are_refused(number, user, fake_gateway, fake_codes):
    valid, errors = submit(user, number)
    assert not valid
    assert errors["number"] == [TYPE_ERROR]
    assert fake_codes() == []
    assert not PhoneDevice.objects.exists()


@pytest.mark.parametrize(
    "number", ["+31 6 12345678", "+31 20 123 4567", "+1 201 555 0123", "+49 151 12345678"]
)
def test_mobile_and_landline_numbers_are_accepted(number, user, fake_gateway, fake_codes):
    valid, errors = submit(user, number)
    assert valid, errors
    assert len(fake_codes()) == 1


def test_allowed_number_types_setting(user, fake_gateway, settings):
    settings.OTP_PHONE_ALLOWED_NUMBER_TYPES = ["MOBILE"]
    assert submit(user, "+31 6 12345678")[0]
    assert submit(user, "+31 20 123 4567")[1]["number"] == [TYPE_ERROR]


def test_allowed_regions(user, fake_gateway, fake_codes, settings):
    settings.OTP_PHONE_ALLOWED_REGIONS = ["NL", "BE"]
    valid, errors = submit(user, "+49 151 12345678")
    assert not valid
    assert errors["number"] == ["Codes cannot be sent to numbers in this country."]
    assert fake_codes() == []
    assert submit(user, "+31 6 12345678")[0]

"""Template tags of ``{% load phonenumber %}``."""

from __future__ import annotations

import phonenumbers
from django.template import Context, Template

from otp_phone.models import PhoneDevice
from otp_phone.templatetags.phonenumber import (
    device_action,
    format_phone_number,
    mask_phone_number,
)


def test_mask_exactly_as_the_reference_docs_show():
    assert mask_phone_number("+31 6 1234558") == "+31 * *****58"


def test_mask_of_a_parsed_number_formats_first():
    number = phonenumbers.parse("+31612345678")
    assert mask_phone_number(number) == "+31 * ******78"


def test_format_phone_number():
    assert format_phone_number("+31612345678") == "+31 6 12345678"
    assert format_phone_number(phonenumbers.parse("+14155552671")) == "+1 415-555-2671"
    assert format_phone_number("garbage") == "garbage"


def test_device_action():
    sms = PhoneDevice(number="+31612345658", method="sms")
    call = PhoneDevice(number="+31612345658", method="call")
    assert device_action(sms) == "Send text message to +31 * ******58"
    assert device_action(call) == "Call number +31 * ******58"


def test_tags_in_a_template():
    template = Template(
        "{% load phonenumber %}{{ device|device_action }}|{{ n|format_phone_number }}"
        "|{{ n|format_phone_number|mask_phone_number }}"
    )
    device = PhoneDevice(number="+31612345658", method="call")
    out = template.render(Context({"device": device, "n": "+31612345658"}))
    assert out == "Call number +31 * ******58|+31 6 12345658|+31 * ******58"

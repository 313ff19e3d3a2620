"""A third party's gateway found through the ``otp_phone.gateways`` entry point.

Needs the test-only distribution in tests/gateway_plugin installed
(``pip install ./packages/otp-phone/tests/gateway_plugin``).
"""

from __future__ import annotations

import pytest
from otp_phone_example_gateway import OutboxGateway, outbox

from otp_phone.gateways import load_gateway_class

pytestmark = pytest.mark.django_db


def test_entry_point_name_loads_the_class():
    assert load_gateway_class("examplegw") is OutboxGateway


def test_gateway_by_name_delivers(sms_device, call_device, settings):
    outbox.clear()
    settings.TWO_FACTOR_SMS_GATEWAY = "examplegw"
    settings.TWO_FACTOR_CALL_GATEWAY = "examplegw"
    sms_device.generate_challenge()
    call_device.generate_challenge()
    assert [(kind, number) for kind, number, _ in outbox] == [
        ("sms", "+31612345678"),
        ("call", "+31612345658"),
    ]
    assert sms_device.verify_token(outbox[0][2])
    assert call_device.verify_token(outbox[1][2])
    outbox.clear()


def test_gateway_reads_number_as_phonenumber(sms_device, settings):
    # django-two-factor-auth's custom gateways call device.number.as_e164.
    outbox.clear()
    settings.TWO_FACTOR_SMS_GATEWAY = "examplegw"
    sms_device.refresh_from_db()
    sms_device.generate_challenge()
    [(kind, number, _code)] = outbox
    assert (kind, type(number), number) == ("sms", str, "+31612345678")
    outbox.clear()

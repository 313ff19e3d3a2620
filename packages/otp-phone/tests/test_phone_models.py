"""The phone device: numbers, factor kinds, hashed single-use codes, expiry, cooldown."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from otp_core.challenges import ChallengeNotAllowed
from otp_phone import GatewayError
from otp_phone.models import PhoneDevice

pytestmark = pytest.mark.django_db


def test_factor_kind_follows_the_method(sms_device, call_device):
    assert sms_device.factor_kind == "sms"
    assert call_device.factor_kind == "tel"
    sms_device.method = "call"
    assert sms_device.factor_kind == "tel"


def test_number_must_be_valid_e164(user):
    device = PhoneDevice(user=user, name="x", number="+31612345678")
    device.full_clean()
    for bad in ("0612345678", "+31 6 12345678", "+3161234", "not a number"):
        device.number = bad
        with pytest.raises(ValidationError):
            device.full_clean()


def test_sms_through_the_fake_gateway(sms_device, fake_gateway, fake_codes):
    challenge = sms_device.generate_challenge()
    assert str(challenge) == "We sent a text message to +31 * ******78."
    [(kind, number, code)] = fake_codes()
    assert (kind, number) == ("SMS", "+31612345678")
    assert len(code) == 6
    assert sms_device.verify_token(code)
    assert not sms_device.verify_token(code)


def test_call_through_the_fake_gateway(call_device, fake_gateway, fake_codes):
    challenge = call_device.generate_challenge()
    assert str(challenge) == "We are calling +31 * ******58."
    [(kind, number, code)] = fake_codes()
    assert (kind, number) == ("call", "+31612345658")
    assert call_device.verify_token(code)


def test_only_the_hash_is_stored(sms_device, fake_gateway, fake_codes):
    sms_device.generate_challenge()
    code = fake_codes()[0][2]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {PhoneDevice._meta.db_table} WHERE id = %s", [sms_device.pk])
        row = cursor.fetchone()
    assert code not in " ".join(str(v) for v in row)
    assert any(str(v).startswith("hmac-sha256$") for v in row)


def test_eight_digits(sms_device, fake_gateway, fake_codes, settings):
    settings.TWO_FACTOR_TOTP_DIGITS = 8
    sms_device.generate_challenge()
    code = fake_codes()[0][2]
    assert len(code) == 8
    assert sms_device.verify_token(code)


def test_expired_code_is_refused(sms_device, fake_gateway, fake_codes, settings):
    settings.OTP_PHONE_TOKEN_VALIDITY = 60
    sms_device.generate_challenge()
    sms_device.refresh_from_db()
    assert sms_device.valid_until <= timezone.now() + timedelta(seconds=60)
    PhoneDevice.objects.filter(pk=sms_device.pk).update(
        valid_until=timezone.now() - timedelta(seconds=1)
    )
    sms_device.refresh_from_db()
    assert not sms_device.verify_token(fake_codes()[0][2])


def test_cooldown(sms_device, fake_gateway, fake_codes, settings):
    sms_device.generate_challenge()
    with pytest.raises(ChallengeNotAllowed):
        sms_device.generate_challenge()
    assert len(fake_codes()) == 1
    settings.OTP_PHONE_COOLDOWN_DURATION = 0
    sms_device.generate_challenge()
    assert len(fake_codes()) == 2


def test_throttle_factor_setting(sms_device, fake_gateway, fake_codes, settings):
    settings.TWO_FACTOR_PHONE_THROTTLE_FACTOR = 0
    sms_device.generate_challenge()
    code = fake_codes()[0][2]
    wrong = "000000" if code != "000000" else "111111"
    assert not sms_device.verify_token(wrong)
    assert not sms_device.verify_token(wrong)
    # No delay with factor 0: the right code still works at once.
    assert sms_device.verify_token(code)


def test_no_gateway_is_a_gateway_error_and_stores_nothing(sms_device, settings, caplog):
    settings.TWO_FACTOR_SMS_GATEWAY = None
    with caplog.at_level(logging.WARNING, logger="otp_phone"), pytest.raises(GatewayError) as info:
        sms_device.generate_challenge()
    assert "TWO_FACTOR_SMS_GATEWAY is not set" in str(info.value)
    assert "failed" in caplog.text
    sms_device.refresh_from_db()
    assert sms_device.token_hash == ""
    assert sms_device.last_generated_at is None


def test_unknown_gateway_name_is_an_error(sms_device, settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "no-such-gateway"
    with pytest.raises(GatewayError) as info:
        sms_device.generate_challenge()
    assert "ImproperlyConfigured" in str(info.value)
    sms_device.refresh_from_db()
    assert sms_device.token_hash == ""

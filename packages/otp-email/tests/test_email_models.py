"""The e-mail device: delivery, hashed single-use codes, expiry, cooldown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from otp_core.challenges import ChallengeNotAllowed
from otp_email import DeliveryError
from otp_email.models import EmailDevice

pytestmark = pytest.mark.django_db


def test_challenge_mails_a_code_to_the_users_address(email_device, code_in):
    challenge = email_device.generate_challenge()
    assert str(challenge) == "We sent a code to a***@example.com."
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "OTP token"
    assert message.from_email == "no-reply@localhost"
    assert message.to == ["alice@example.com"]
    code = code_in(message.body)
    assert "valid for 5 minutes" in message.body
    assert email_device.verify_token(code)


def test_own_address_wins_over_the_users(user):
    device = EmailDevice.objects.create(user=user, name="Work", email="work@corp.example")
    device.generate_challenge()
    assert mail.outbox[0].to == ["work@corp.example"]
    assert device.masked_recipient() == "w***@corp.example"


def test_only_the_hash_is_stored(email_device, code_in):
    email_device.generate_challenge()
    code = code_in(mail.outbox[0].body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {EmailDevice._meta.db_table} WHERE id = %s", [email_device.pk]
        )
        row = cursor.fetchone()
    raw = " ".join(str(value) for value in row)
    assert code not in raw
    assert any(str(value).startswith("hmac-sha256$") for value in row)


def test_code_is_single_use(email_device, code_in):
    email_device.generate_challenge()
    code = code_in(mail.outbox[0].body)
    assert email_device.verify_token(code)
    assert not email_device.verify_token(code)
    email_device.refresh_from_db()
    assert email_device.token_hash == ""
    assert email_device.valid_until is None


def test_wrong_code_is_refused_and_counted(email_device, code_in):
    email_device.generate_challenge()
    code = code_in(mail.outbox[0].body)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert not email_device.verify_token(wrong)
    email_device.refresh_from_db()
    assert email_device.throttling_failure_count == 1


def test_expired_code_is_refused(email_device, settings, code_in):
    settings.OTP_EMAIL_THROTTLE_FACTOR = 0
    email_device.generate_challenge()
    code = code_in(mail.outbox[0].body)
    EmailDevice.objects.filter(pk=email_device.pk).update(
        valid_until=timezone.now() - timedelta(seconds=1)
    )
    email_device.refresh_from_db()
    assert not email_device.verify_token(code)


def test_token_validity_setting(email_device, settings):
    settings.OTP_EMAIL_TOKEN_VALIDITY = 30
    before = timezone.now()
    email_device.generate_challenge()
    email_device.refresh_from_db()
    assert before + timedelta(seconds=29) < email_device.valid_until
    assert email_device.valid_until <= timezone.now() + timedelta(seconds=30)
    assert "valid for 1 minute " in mail.outbox[0].body


def test_cooldown_refuses_a_second_mail(email_device):
    email_device.generate_challenge()
    with pytest.raises(ChallengeNotAllowed) as info:
        email_device.generate_challenge()
    assert info.value.details["reason"] == "COOLDOWN_DURATION_PENDING"
    assert len(mail.outbox) == 1


def test_cooldown_can_be_disabled(email_device, settings, code_in):
    settings.OTP_EMAIL_COOLDOWN_DURATION = 0
    settings.OTP_EMAIL_THROTTLE_FACTOR = 0
    email_device.generate_challenge()
    email_device.generate_challenge()
    assert len(mail.outbox) == 2
    first, second = (code_in(m.body) for m in mail.outbox)
    # Only the newest code is pending.
    if first != second:
        assert not email_device.verify_token(first)
    assert email_device.verify_token(second)


def test_cooldown_over_allows_another_mail(email_device):
    email_device.generate_challenge()
    EmailDevice.objects.filter(pk=email_device.pk).update(
        last_generated_at=timezone.now() - timedelta(seconds=61)
    )
    email_device.refresh_from_db()
    email_device.generate_challenge()
    assert len(mail.outbox) == 2


def test_throttle_factor_setting(email_device, settings, code_in):
    settings.OTP_EMAIL_THROTTLE_FACTOR = 10
    email_device.generate_challenge()
    code = code_in(mail.outbox[0].body)
    wrong = "000000" if code != "000000" else "111111"
    assert not email_device.verify_token(wrong)
    assert not email_device.verify_token(wrong)  # the first failure was free
    # Throttled now: even the right code waits for the delay.
    assert not email_device.verify_token(code)
    email_device.refresh_from_db()
    assert email_device.throttled_until() > timezone.now() + timedelta(seconds=5)


def test_sender_subject_and_templates_from_settings(email_device, settings, code_in):
    settings.OTP_EMAIL_SENDER = "security@example.org"
    settings.OTP_EMAIL_SUBJECT = "Your sign-in code"
    settings.OTP_EMAIL_BODY_TEMPLATE = "Code: {{ token }} for {{ device.name }}"
    settings.OTP_EMAIL_BODY_HTML_TEMPLATE = "<p>Code: <b>{{ token }}</b></p>"
    email_device.generate_challenge()
    message = mail.outbox[0]
    assert message.from_email == "security@example.org"
    assert message.subject == "Your sign-in code"
    code = code_in(message.body)
    assert message.body == f"Code: {code} for Mail"
    assert message.alternatives[0][0] == f"<p>Code: <b>{code}</b></p>"
    assert message.alternatives[0][1] == "text/html"


def test_no_address_is_a_delivery_error_and_stores_nothing(django_user_model):
    nobody = django_user_model.objects.create_user("nomail", "", "pw")
    device = EmailDevice.objects.create(user=nobody, name="Mail")
    with pytest.raises(DeliveryError) as info:
        device.generate_challenge()
    assert "has no address" in str(info.value)
    device.refresh_from_db()
    assert device.token_hash == ""
    assert device.last_generated_at is None
    assert mail.outbox == []


def test_factor_kind_and_repr_hold_no_code(email_device, code_in):
    email_device.generate_challenge()
    code = code_in(mail.outbox[0].body)
    assert email_device.factor_kind == "email"
    assert code not in repr(email_device)
    assert code not in str(email_device)

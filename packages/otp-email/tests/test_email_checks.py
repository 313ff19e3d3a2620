"""System checks of otp-email."""

from __future__ import annotations

from otp_email import checks


def ids(messages):
    return [m.id for m in messages]


def test_configured_sender_passes(settings):
    settings.DEFAULT_FROM_EMAIL = "no-reply@example.com"
    assert checks.check_sender() == []
    assert checks.check_numbers() == []


def test_djangos_default_sender_warns(settings):
    settings.DEFAULT_FROM_EMAIL = "webmaster@localhost"
    assert ids(checks.check_sender()) == ["otp_email.W001"]
    settings.OTP_EMAIL_SENDER = "security@example.com"
    assert checks.check_sender() == []


def test_missing_sender_warns(settings):
    del settings.DEFAULT_FROM_EMAIL  # Django's default applies again
    assert ids(checks.check_sender()) == ["otp_email.W001"]


def test_bad_sender_type(settings):
    settings.OTP_EMAIL_SENDER = ["a@example.com"]
    assert ids(checks.check_sender()) == ["otp_email.E001"]


def test_bad_numbers(settings):
    settings.OTP_EMAIL_TOKEN_VALIDITY = 0
    settings.OTP_EMAIL_THROTTLE_FACTOR = -1
    settings.OTP_EMAIL_COOLDOWN_DURATION = "60"
    assert ids(checks.check_numbers()) == ["otp_email.E002", "otp_email.E003", "otp_email.E004"]


def test_body_is_required(settings):
    settings.OTP_EMAIL_BODY_TEMPLATE_PATH = None
    assert ids(checks.check_numbers()) == ["otp_email.E006"]
    settings.OTP_EMAIL_BODY_TEMPLATE = "{{ token }}"
    assert checks.check_numbers() == []

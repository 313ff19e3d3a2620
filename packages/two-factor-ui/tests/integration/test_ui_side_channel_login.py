"""Signing in with e-mail and phone devices through the two-factor-ui wizard (full sessions)."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail

from otp_core.verification import verify
from otp_email.models import EmailDevice
from otp_phone.models import PhoneDevice

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def texts(settings, caplog):
    """Codes the fake gateway logged, newest last."""
    settings.TWO_FACTOR_SMS_GATEWAY = "fake"
    caplog.set_level(logging.INFO, logger="two_factor")
    return lambda: [CODE.search(r.getMessage()).group(1) for r in caplog.records if "Fake" in r.msg]


def test_email_sign_in_right_after_the_setup_code_was_used(client, user, login_flow, locmem_mail):
    # What the set-up did a moment ago: send a code and accept it.
    device = EmailDevice.objects.create(user=user, name="E-mail", email="alice@example.com")
    device.generate_challenge()
    assert verify(device, CODE.search(locmem_mail[-1].body).group(1)).accepted

    # The used code does not hold the cooldown: the login mails a new one at once.
    response = login_flow.password()
    html = response.content.decode()
    assert "A code was sent a moment ago" not in html
    assert "We sent a code to" in html
    assert len(locmem_mail) == 2
    response = login_flow.token(CODE.search(locmem_mail[-1].body).group(1))
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_pending_code_still_holds_the_cooldown(client, user, login_flow, locmem_mail):
    device = EmailDevice.objects.create(user=user, name="E-mail", email="alice@example.com")
    device.generate_challenge()
    html = login_flow.password().content.decode()
    assert "A code was sent a moment ago" in html
    assert len(locmem_mail) == 1


def test_phone_sign_in_right_after_the_setup_code_was_used(client, user, login_flow, texts):
    device = PhoneDevice.objects.create(user=user, name="default", number="+31612345678")
    device.generate_challenge()
    assert verify(device, texts()[-1]).accepted

    html = login_flow.password().content.decode()
    assert "We sent a text message to" in html
    assert len(texts()) == 2
    assert login_flow.token(texts()[-1]).status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_setup_confirm_steps_say_where_the_code_went(user, locmem_mail, texts):
    from otp_email.forms import EmailAddressStep, EmailConfirmStep
    from otp_phone.forms import PhoneConfirmStep, PhoneNumberStep

    state: dict = {}
    assert EmailAddressStep({"email": "alice@example.com"}, user=user, state=state).is_valid()
    help_text = str(EmailConfirmStep(user=user, state=state).fields["otp_token"].help_text)
    assert help_text == "We sent it to a***@example.com."

    state = {}
    step = PhoneNumberStep({"number": "+31612345678", "method": "sms"}, user=user, state=state)
    assert step.is_valid()
    help_text = str(PhoneConfirmStep(user=user, state=state).fields["otp_token"].help_text)
    assert help_text == "We sent it to +31 * ******78 by text message."

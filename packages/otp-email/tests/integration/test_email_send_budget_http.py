"""Mail bombing (issue 8): hammer the e-mail set-up and sign-in over real HTTP.

A live server, a browser-less client, 30 attempts per entry point and the
locmem outbox as the count of mails sent. The per-device cooldown is off, so
only the send budgets stand in the way: at most 3 mails per mailbox and 5 per
account in 10 minutes, however the pages are driven.
"""

from __future__ import annotations

import pytest
from django.core import mail

from otp_core.testing_http import LiveBrowser
from otp_email.models import EmailDevice

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 30
SETUP = "/account/two_factor/setup/"
LOGIN = "/account/login/"
PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def _worst_case(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OTP_EMAIL_COOLDOWN_DURATION = 0
    settings.OTP_SEND_BUDGET_DESTINATION = [(3, 600), (10, 86400)]
    settings.OTP_SEND_BUDGET_USER = [(5, 600), (20, 86400)]
    settings.OTP_SEND_BUDGET_CLIENT = [(10, 600), (50, 86400)]
    mail.outbox = []


def password_step(browser: LiveBrowser, username: str = "alice"):
    browser.get(LOGIN)
    return browser.post(
        LOGIN,
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": PASSWORD},
    )


def wizard_address(browser: LiveBrowser, address: str) -> None:
    browser.get(SETUP)  # a GET starts the wizard afresh
    browser.post(SETUP, {"setup_view-current_step": "welcome"})
    browser.post(SETUP, {"setup_view-current_step": "method", "method-method": "email"})
    browser.post(SETUP, {"setup_view-current_step": "email-0", "email-0-email": address})


def test_wizard_mails_one_victim_three_times_at_most(live_server, user):
    browser = LiveBrowser(live_server.url)
    assert password_step(browser).status == 302
    spellings = ["victim@example.org", "VICTIM@example.org", "victim+{i}@example.org"]
    for i in range(ATTEMPTS):
        wizard_address(browser, spellings[i % 3].format(i=i))
    assert len(mail.outbox) == 3
    assert EmailDevice.objects.filter(user=user, confirmed=False).count() == 1


def test_wizard_with_many_addresses_mails_five_times_at_most(live_server, user):
    browser = LiveBrowser(live_server.url)
    assert password_step(browser).status == 302
    for i in range(ATTEMPTS):
        wizard_address(browser, f"target{i}@example.org")
    assert len(mail.outbox) == 5


def test_sign_in_challenges_mail_three_times_at_most(live_server, user):
    EmailDevice.objects.create(user=user, name="E-mail", email="alice@example.com")
    for _ in range(ATTEMPTS):
        response = password_step(LiveBrowser(live_server.url))
        assert response.status == 200
    assert len(mail.outbox) == 3
    assert "Too many codes were sent" in response.text

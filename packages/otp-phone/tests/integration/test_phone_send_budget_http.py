"""SMS pumping (issue 8): hammer every page that sends a text over real HTTP.

A live server, a browser-less client, 60 attempts per entry point, and the
Fake gateway's log as the count of messages sent. The per-device cooldown is
switched off so that only the send budgets stand between the attacker and
the gateway; however the pages are driven, at most the documented budget
goes out: 3 per number and 5 per account in 10 minutes.
"""

from __future__ import annotations

import time

import pytest

from otp_core import oath
from otp_core.models import SendRecord
from otp_core.testing_http import LiveBrowser
from otp_phone.models import PhoneDevice
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 30
SETUP = "/account/two_factor/setup/"
LOGIN = "/account/login/"
BACKUP_PHONE = "/account/phone/add/"
PASSWORD = "correct horse"
NUMBER = "+31612345678"


@pytest.fixture(autouse=True)
def _worst_case(settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "fake"
    settings.TWO_FACTOR_CALL_GATEWAY = "fake"
    settings.OTP_PHONE_COOLDOWN_DURATION = 0
    # The demo's defaults, said outright: these are what the tests prove.
    settings.OTP_SEND_BUDGET_DESTINATION = [(3, 600), (10, 86400)]
    settings.OTP_SEND_BUDGET_USER = [(5, 600), (20, 86400)]
    settings.OTP_SEND_BUDGET_CLIENT = [(10, 600), (50, 86400)]


def sign_in(live_server, username="alice", totp=None) -> LiveBrowser:
    browser = LiveBrowser(live_server.url)
    browser.get(LOGIN)
    response = browser.post(
        LOGIN,
        {
            "login_view-current_step": "auth",
            "auth-username": username,
            "auth-password": PASSWORD,
        },
    )
    if totp is not None:
        code = oath.format_token(oath.totp(bytes.fromhex(totp.key), time.time()))
        response = browser.post(
            LOGIN, {"login_view-current_step": "token", "token-otp_token": code}
        )
    assert response.status == 302, response.text[:500]
    return browser


def wizard_number(browser: LiveBrowser, number: str, *, restart: bool = True) -> None:
    """Drive the set-up wizard to the number step and submit ``number``."""
    if restart:
        browser.get(SETUP)  # a GET starts the wizard afresh
        browser.post(SETUP, {"setup_view-current_step": "welcome"})
        browser.post(SETUP, {"setup_view-current_step": "method", "method-method": "phone"})
    browser.post(
        SETUP,
        {"setup_view-current_step": "phone-0", "phone-0-number": number, "phone-0-method": "sms"},
    )


def test_wizard_restarted_by_get_sends_three_texts_to_one_number(live_server, user, fake_codes):
    browser = sign_in(live_server)
    for _ in range(ATTEMPTS):
        wizard_number(browser, NUMBER)
    assert len(fake_codes()) == 3
    # One pending device, however often the wizard restarted.
    assert PhoneDevice.objects.filter(user=user, confirmed=False).count() == 1


def test_wizard_with_a_new_number_each_time_sends_five_texts(live_server, user, fake_codes):
    browser = sign_in(live_server)
    for i in range(ATTEMPTS):
        # Every other attempt goes back with the wizard's own "previous step".
        if i % 2:
            browser.post(
                SETUP, {"setup_view-current_step": "phone-1", "wizard_goto_step": "phone-0"}
            )
            wizard_number(browser, f"+316123456{i:02d}", restart=False)
        else:
            wizard_number(browser, f"+316123456{i:02d}")
    assert len(fake_codes()) == 5
    assert len({number for _kind, number, _code in fake_codes()}) == 5


def test_backup_phone_page_with_restarts_sends_at_most_the_budget(live_server, user, fake_codes):
    totp = TOTPDevice.objects.create(user=user, name="App")
    browser = sign_in(live_server, totp=totp)
    for _ in range(ATTEMPTS):
        browser.post(BACKUP_PHONE, {"restart": "1"})  # "Use another number"
        browser.post(BACKUP_PHONE, {"number": NUMBER, "method": "sms"})
    assert len(fake_codes()) == 3
    for i in range(ATTEMPTS):
        browser.post(BACKUP_PHONE, {"restart": "1"})
        response = browser.post(BACKUP_PHONE, {"number": f"+316123457{i:02d}", "method": "call"})
    # The account's budget (5) is spent: 3 to the first number, 2 to new ones.
    assert len(fake_codes()) == 5
    assert "Too many codes were sent. Please try again in" in response.text


def test_sign_in_challenges_send_at_most_three_texts(live_server, user, fake_codes):
    PhoneDevice.objects.create(user=user, name="default", number=NUMBER)
    for _ in range(ATTEMPTS):
        browser = LiveBrowser(live_server.url)  # a fresh session each time
        browser.get(LOGIN)
        response = browser.post(
            LOGIN,
            {
                "login_view-current_step": "auth",
                "auth-username": "alice",
                "auth-password": PASSWORD,
            },
        )
        assert response.status == 200
    assert len(fake_codes()) == 3
    assert "Too many codes were sent" in response.text
    # The ledger holds digests only, never the number.
    assert not SendRecord.objects.filter(destination_digest__contains="3161").exists()


def test_many_accounts_from_one_client_send_at_most_ten(live_server, django_user_model, fake_codes):
    for i in range(ATTEMPTS // 4):
        name = f"user{i}"
        django_user_model.objects.create_user(name, f"{name}@example.com", PASSWORD)
        browser = sign_in(live_server, username=name)
        for j in range(2):
            wizard_number(browser, f"+31612{i:02d}{j:04d}")
    # 15 accounts x 2 numbers = 30 asked; the client address's budget is 10.
    assert len(fake_codes()) == 10

"""Codes by e-mail and by phone (the fake gateway) in a real browser, as primary and backup.

Codes are read where a person would find them: e-mails from Django's locmem
outbox (the live server runs in this process), text messages from the
``two_factor`` log the fake gateway writes for development.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from otp_email.models import EmailDevice
from otp_phone.models import PhoneDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "alice@example.com"
NUMBER = "+31612345678"
CODE_IN_MAIL = re.compile(r"\b(\d{6,8})\b")
FAKE_SMS = re.compile(r'^Fake SMS to (\+\d+): "Your token is: (\d+)"$')


class SMSInbox(logging.Handler):
    """Keeps what the fake gateway 'sends': (number, code) of each text message."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.messages: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        match = FAKE_SMS.match(record.getMessage())
        if match:
            self.messages.append((match.group(1), match.group(2)))

    def last_code(self, number: str) -> str:
        codes = [code for to, code in self.messages if to == number]
        assert codes, f"no text message to {number}"
        return codes[-1]


@pytest.fixture
def outbox(settings) -> list[Any]:
    """Django's in-memory outbox; the live server shares this process."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def sms(settings) -> Iterator[SMSInbox]:
    settings.TWO_FACTOR_SMS_GATEWAY = "fake"
    settings.TWO_FACTOR_CALL_GATEWAY = "fake"
    inbox = SMSInbox()
    logger = logging.getLogger("two_factor")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(inbox)
    yield inbox
    logger.removeHandler(inbox)
    logger.setLevel(level)


def mailed_code(outbox: list[Any], address: str) -> str:
    """The code in the newest e-mail to ``address``."""
    mails = [m for m in outbox if address in m.to]
    assert mails, f"no e-mail to {address}"
    match = CODE_IN_MAIL.search(mails[-1].body)
    assert match, "no code in the e-mail"
    return match.group(1)


# -- what a person does (as in test_browser_two_factor.py) -------------------


def sign_in_with_password(page: Any, url: str, username: str, password: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Next").click()
    # The password page has gone (the code step, or the page after it): the
    # form may be sent a moment after the click (it waits for the passkey
    # request of the page to answer), and a goto() before that would race it.
    expect(page.get_by_label("Password")).to_be_hidden()


def code_field(page: Any) -> Any:
    return page.get_by_label(re.compile(r"^Code:?$"))


def enter_code(page: Any, code: str) -> None:
    code_field(page).fill(code)
    page.get_by_role("button", name="Verify").click()


def sign_out(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def expect_signed_in(page: Any, base: str, username: str, device_name: str) -> None:
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text(f"signed in as {username}")).to_be_visible()
    expect(page.get_by_text(f"verified with {device_name}")).to_be_visible()


def set_up_totp(page: Any, base: str, shot: Any, totp_clock: Any) -> Any:
    """The set-up wizard with an authenticator app; returns the app's clock."""
    start_setup(page, base, shot, "Authenticator app")
    page.get_by_text("Cannot scan it? Enter the key by hand").click()
    secret = page.locator("code.otp-secret-key").inner_text()
    clock = totp_clock(re.sub(r"\s+", "", secret))
    code_field(page).fill(clock.code())
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Two-factor authentication enabled")).to_be_visible()
    shot(page, "authenticator app set up")
    return clock


def start_setup(page: Any, base: str, shot: Any, method: str) -> None:
    """Open the set-up wizard and choose ``method`` (a plugin's label)."""
    page.goto(f"{base}/account/two_factor/setup/")
    expect(page.get_by_role("heading", name="Enable two-factor authentication")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    page.get_by_label(method, exact=True).check()
    shot(page, f"setup choose {method}")
    page.get_by_role("button", name="Next").click()


def set_up_email(page: Any, base: str, shot: Any, outbox: list[Any]) -> None:
    start_setup(page, base, shot, "E-mail")
    page.get_by_label("E-mail address").fill(ADDRESS)
    shot(page, "setup address")
    page.get_by_role("button", name="Next").click()
    field = page.get_by_label("Code from the e-mail")
    expect(field).to_be_visible()
    shot(page, "setup code asked")
    field.fill(mailed_code(outbox, ADDRESS))
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Two-factor authentication enabled")).to_be_visible()
    shot(page, "setup complete")


def set_up_phone(page: Any, base: str, shot: Any, sms: SMSInbox) -> None:
    start_setup(page, base, shot, "Phone")
    page.get_by_label("Phone number").fill(NUMBER)
    page.get_by_label("Text message").check()
    shot(page, "setup number")
    page.get_by_role("button", name="Next").click()
    expect(code_field(page)).to_be_visible()
    shot(page, "setup code asked")
    code_field(page).fill(sms.last_code(NUMBER))
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Two-factor authentication enabled")).to_be_visible()
    shot(page, "setup complete")


# -- the flows ----------------------------------------------------------------


def test_email_as_primary_method(live_server, page, shot, user, password, outbox):
    base = live_server.url
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    expect(page).to_have_url(f"{base}/")
    set_up_email(page, base, shot, outbox)
    assert EmailDevice.objects.get(user=user).confirmed

    sign_out(page, base)
    sent = len(outbox)
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    expect(page.get_by_role("status")).to_contain_text("We sent a code to")
    expect(page.get_by_text("Enter the code from your E-mail")).to_be_visible()
    assert len(outbox) == sent + 1
    shot(page, "token step")
    enter_code(page, mailed_code(outbox, ADDRESS))
    expect_signed_in(page, base, "alice", "E-mail")
    shot(page, "signed in with e-mail")


def test_phone_as_primary_method(live_server, page, shot, user, password, sms):
    base = live_server.url
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    expect(page).to_have_url(f"{base}/")
    set_up_phone(page, base, shot, sms)
    device = PhoneDevice.objects.get(user=user)
    assert (device.confirmed, device.number, device.method) == (True, NUMBER, "sms")

    sign_out(page, base)
    sent = len(sms.messages)
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    expect(page.get_by_role("status")).to_contain_text("We sent a text message to")
    expect(page.get_by_text("Enter the code from your Phone")).to_be_visible()
    assert len(sms.messages) == sent + 1
    shot(page, "token step")
    enter_code(page, sms.last_code(NUMBER))
    expect_signed_in(page, base, "alice", device.display_label())
    shot(page, "signed in with phone")


def test_phone_as_backup_method(live_server, page, shot, user, password, totp_clock, sms):
    base = live_server.url
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    set_up_totp(page, base, shot, totp_clock)

    # The profile offers a backup phone before the user has one.
    page.goto(f"{base}/account/two_factor/")
    shot(page, "profile without phone")
    page.get_by_role("link", name="Add a backup phone number").click()
    page.get_by_label("Phone number").fill(NUMBER)
    page.get_by_label("Text message").check()
    shot(page, "backup number")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a text message to")
    shot(page, "backup code asked")
    code_field(page).fill(sms.last_code(NUMBER))
    page.get_by_role("button", name="Continue").click()
    # Back on the profile, with the phone and its removal button.
    expect(page).to_have_url(f"{base}/account/two_factor/")
    phone = PhoneDevice.objects.get(user=user)
    assert phone.confirmed
    # Named by what it is, never by its legacy name "backup"; the number masked.
    label = phone.display_label()
    assert label == "Text message to +31 * ******78"
    expect(page.get_by_role("link", name=f"Remove {label}")).to_be_visible()
    shot(page, "profile with backup phone")

    sign_out(page, base)
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    # A backup phone is never asked for first.
    expect(page.get_by_text("Enter the code from your Authenticator app")).to_be_visible()
    sent = len(sms.messages)
    shot(page, "token step offers the phone")
    page.get_by_role("button", name=f"Use {label}").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a text message to")
    assert len(sms.messages) == sent + 1
    shot(page, "phone code asked")
    enter_code(page, sms.last_code(NUMBER))
    expect_signed_in(page, base, "alice", label)
    shot(page, "signed in with backup phone")

    # The phone this session used cannot be removed; the profile says why.
    page.goto(f"{base}/account/two_factor/")
    expect(page.get_by_role("link", name=f"Remove {label}")).to_have_count(0)
    expect(page.get_by_text("You signed in with this, so it cannot be removed")).to_be_visible()
    assert PhoneDevice.objects.filter(pk=phone.pk).exists()
    shot(page, "removal refused")


def test_email_as_backup_method(live_server, page, shot, user, password, totp_clock, outbox):
    base = live_server.url
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    set_up_totp(page, base, shot, totp_clock)

    # A second method through the profile's "Add another method".
    page.goto(f"{base}/account/two_factor/")
    page.get_by_role("link", name="Add another method").click()
    # No first-time intro: the page opens on the choice of method.
    expect(page.get_by_role("heading", name="Add a sign-in method")).to_be_visible()
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("E-mail address").fill(ADDRESS)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Code from the e-mail").fill(mailed_code(outbox, ADDRESS))
    shot(page, "second method code")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Two-factor authentication enabled")).to_be_visible()
    assert EmailDevice.objects.get(user=user).confirmed

    page.goto(f"{base}/account/two_factor/")
    expect(page.get_by_role("region", name="E-mail")).to_be_visible()
    shot(page, "profile with two methods")

    # The authenticator app stays the one asked for first; e-mail is the other way.
    sign_out(page, base)
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    expect(page.get_by_text("Enter the code from your Authenticator app")).to_be_visible()
    sent = len(outbox)
    page.get_by_role("button", name="Use E-mail").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a code to")
    assert len(outbox) == sent + 1
    shot(page, "e-mail code asked")
    enter_code(page, mailed_code(outbox, ADDRESS))
    expect_signed_in(page, base, "alice", "E-mail")
    shot(page, "signed in with e-mail")

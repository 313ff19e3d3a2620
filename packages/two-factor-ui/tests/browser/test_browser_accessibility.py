"""axe-core and touch targets on every page of the flows, at desktop and phone width.

A person walks the flows with the keyboard where it matters (the code field is
focused, Enter submits) and ``check_accessible`` (otp_core.testing_browser)
checks each page as it is: no serious or critical axe-core violation, no
button, input or choice label under 44 px. Error states are checked too: a
wrong password, a wrong code, a refused "send again".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 800), "phone": (375, 740)}
ADDRESS = "alice@example.com"
NUMBER = "+31612345678"
CODE_IN_MAIL = re.compile(r"\b(\d{6,8})\b")
FAKE_SMS = re.compile(r'^Fake SMS to (\+\d+): "Your token is: (\d+)"$')


class SMSInbox(logging.Handler):
    """Codes the fake gateway 'sends', newest last."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.codes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        match = FAKE_SMS.match(record.getMessage())
        if match:
            self.codes.append(match.group(2))


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


@pytest.fixture
def outbox(settings) -> list[Any]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture(params=list(WIDTHS))
def sized_page(request, page):
    width, height = WIDTHS[request.param]
    page.set_viewport_size({"width": width, "height": height})
    return page


def code_field(page: Any, label: str = "Code") -> Any:
    return page.get_by_label(re.compile(rf"^{label}:?$"))


def sign_in_with_password(page: Any, base: str, password: str) -> None:
    page.goto(f"{base}/account/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Next").click()
    # The password page has gone (the code step, or the page after it): the
    # form may be sent a moment after the click (it waits for the passkey
    # request of the page to answer), and a goto() before that would race it.
    expect(page.get_by_label("Password")).to_be_hidden()


def choose_method(page: Any, base: str, label: str) -> None:
    """Open "Add a sign-in method" and pick ``label`` with the keyboard."""
    page.goto(f"{base}/account/two_factor/setup/")
    expect(page.get_by_role("heading", name="Add a sign-in method")).to_be_visible()
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Next").click()


def test_every_page_of_the_flows_is_accessible(
    live_server, sized_page, check_accessible, user, password, totp_clock, outbox, sms, settings
):
    settings.TWO_FACTOR_REMEMBER_COOKIE_AGE = 3600
    settings.OTP_EMAIL_COOLDOWN_DURATION = 60  # "Send again" at once is refused
    settings.OTP_PHONE_COOLDOWN_DURATION = 0  # the phone page reuses the wizard's pending phone
    page, base = sized_page, live_server.url

    # -- signed out, the password step (and its error) ---------------------------
    page.goto(f"{base}/account/login/")
    check_accessible(page, "sign in")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Error:")
    check_accessible(page, "sign in refused")
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/")

    # -- first set-up: the authenticator app -----------------------------------
    page.goto(f"{base}/account/two_factor/")
    check_accessible(page, "account, no method")
    page.goto(f"{base}/account/two_factor/setup/")
    expect(page.get_by_role("heading", name="Enable two-factor authentication")).to_be_visible()
    expect(page.get_by_text("Step 1", exact=True)).to_be_visible()
    check_accessible(page, "setup welcome")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("group", name="Method")).to_be_visible()
    check_accessible(page, "setup method")
    page.get_by_label("Authenticator app", exact=True).check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 3 of 3")).to_be_visible()
    expect(code_field(page)).to_be_focused()
    page.get_by_text("Cannot scan it? Enter the key by hand").click()
    secret = page.locator("code.otp-secret-key").inner_text()
    clock = totp_clock(re.sub(r"\s+", "", secret))
    check_accessible(page, "setup authenticator app")
    code_field(page).fill(clock.wrong_code())
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Error:")
    check_accessible(page, "setup authenticator app refused")
    code_field(page).fill(clock.code())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Two-factor authentication enabled")).to_be_visible()
    check_accessible(page, "setup complete")

    # -- backup codes ------------------------------------------------------------
    page.goto(f"{base}/account/two_factor/backup/tokens/")
    check_accessible(page, "backup codes, none")
    page.get_by_role("button", name="Make backup codes").click()
    check_accessible(page, "backup codes shown")
    codes = [
        c.strip()
        for c in page.get_by_role("region", name="Your backup codes")
        .get_by_role("listitem")
        .all_inner_texts()
    ]
    page.get_by_label("I have stored these codes").check()
    page.get_by_role("button", name="Save").click()
    check_accessible(page, "backup codes saved")

    # -- "Add a sign-in method": every other plugin's set-up pages --------------
    page.goto(f"{base}/account/two_factor/setup/")
    expect(page.get_by_role("heading", name="Add a sign-in method")).to_be_visible()
    check_accessible(page, "add method")

    choose_method(page, base, "E-mail")
    check_accessible(page, "setup e-mail address")
    page.get_by_label("E-mail address").fill(ADDRESS)
    page.get_by_role("button", name="Next").click()
    expect(code_field(page, "Code from the e-mail")).to_be_focused()
    check_accessible(page, "setup e-mail code")
    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_role("alert")).to_contain_text("A code was sent a moment ago")
    check_accessible(page, "setup e-mail send again refused")
    code_field(page, "Code from the e-mail").fill("000000x")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Error:")
    check_accessible(page, "setup e-mail code refused")
    code = CODE_IN_MAIL.search(outbox[-1].body).group(1)
    code_field(page, "Code from the e-mail").fill(code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Two-factor authentication enabled")).to_be_visible()

    choose_method(page, base, "Phone")
    check_accessible(page, "setup phone number")
    page.get_by_label("Phone number").fill(NUMBER)
    page.get_by_role("button", name="Next").click()
    expect(code_field(page)).to_be_focused()
    check_accessible(page, "setup phone code")

    for label in ("Counter-based token", "YubiKey", "Security key or passkey"):
        choose_method(page, base, label)
        check_accessible(page, f"setup {label}")

    # -- otp-phone's own page ----------------------------------------------------
    page.goto(f"{base}/account/phone/add/?next=/account/two_factor/")
    expect(page.get_by_role("link", name="Cancel")).to_be_visible()
    check_accessible(page, "add a backup phone")
    page.get_by_label("Phone number").fill("+31612345679")
    page.get_by_role("button", name="Continue").click()
    expect(code_field(page)).to_be_focused()
    check_accessible(page, "add a backup phone, code")

    # -- account, disable page ---------------------------------------------------
    page.goto(f"{base}/account/two_factor/")
    check_accessible(page, "account")
    page.goto(f"{base}/account/two_factor/disable/")
    check_accessible(page, "disable")

    # -- signed out, then the code steps -----------------------------------------
    page.goto(f"{base}/")
    page.get_by_role("button", name="Sign out").click()
    check_accessible(page, "signed out")
    sign_in_with_password(page, base, password)
    expect(code_field(page)).to_be_focused()
    check_accessible(page, "token step")
    page.keyboard.type(clock.wrong_code())
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Invalid code")
    check_accessible(page, "token step refused")
    page.get_by_role("button", name="Use a backup code").click()
    expect(code_field(page, "Backup code")).to_be_focused()
    check_accessible(page, "backup step")
    code_field(page, "Backup code").fill(codes[0])
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/")

    # -- step-up: a page that asks for more than this session has (a hardware key,
    # which this user has not): the step-up page says what is needed ------------
    page.goto(f"{base}/protected/step-up/")
    check_accessible(page, "step-up")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1

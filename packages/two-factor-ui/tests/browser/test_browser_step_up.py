"""Issue 10 in a real browser: a page's policy steps the user up, sudo before disabling."""

from __future__ import annotations

import base64
import re
import secrets
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_field(page: Any) -> Any:
    return page.get_by_label(re.compile(r"^Code:?$"))


def sign_in(page: Any, base: str, password: str, clock: Any, next_url: str = "/") -> None:
    page.goto(f"{base}/account/login/?next={next_url}")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Next").click()
    code_field(page).fill(clock.code())
    page.get_by_role("button", name="Verify").click()


@pytest.fixture
def app(user, totp_clock):
    key = secrets.token_hex(20)
    TOTPDevice.objects.create(user=user, name="", key=key, confirmed=True)
    return totp_clock(base64.b32encode(bytes.fromhex(key)).decode())


def test_a_page_that_needs_a_key_explains_instead_of_looping(
    live_server, page, shot, password, app
):
    base = live_server.url
    sign_in(page, base, password, app)
    page.goto(f"{base}/protected/payments/")
    expect(page).to_have_url(re.compile(r"/account/two_factor/verify/\?next=/protected/payments/$"))
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    expect(page.get_by_text("a hardware security key, used in the last 5 minutes")).to_be_visible()
    expect(page.get_by_text("None of your sign-in methods can give that")).to_be_visible()
    # No code field: the authenticator app cannot meet this policy.
    expect(code_field(page)).to_have_count(0)
    shot(page, "step-up needs a key")
    page.get_by_role("link", name="Add a sign-in method").click()
    expect(page).to_have_url(re.compile(r"/account/two_factor/setup/"))


def test_sudo_before_disabling_steps_up_with_the_app(
    live_server, page, shot, password, app, user, settings
):
    base = live_server.url
    settings.TWO_FACTOR_SENSITIVE_MAX_AGE = 2
    sign_in(page, base, password, app)
    time.sleep(2.5)  # the sign-in is now older than the sensitive actions allow
    page.goto(f"{base}/account/two_factor/disable/")
    expect(page).to_have_url(
        re.compile(r"/account/two_factor/verify/\?next=/account/two_factor/disable/$")
    )
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    expect(page.get_by_text("Enter the code from: Authenticator app.")).to_be_visible()
    expect(code_field(page)).to_be_focused()
    shot(page, "sudo asks for the app")
    code_field(page).fill(app.wrong_code())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shot(page, "wrong code refused")
    code_field(page).fill(app.code())
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base}/account/two_factor/disable/")
    shot(page, "back on the disable page")
    page.get_by_label("Yes, I am sure").check()
    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_text("Two-factor authentication is not enabled")).to_be_visible()
    assert not TOTPDevice.objects.filter(user=user).exists()

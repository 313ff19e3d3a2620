"""Issue 10 in a real browser: the account page lists signed-in browsers and signs one out."""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any

import pytest
from playwright.sync_api import expect

from otp_core.models import SignedInBrowser
from otp_totp.models import TOTPDevice

from .test_browser_step_up import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
def app(user, totp_clock):
    key = secrets.token_hex(20)
    TOTPDevice.objects.create(user=user, name="", key=key, confirmed=True)
    return totp_clock(base64.b32encode(bytes.fromhex(key)).decode())


@pytest.fixture
def phone(browser: Any) -> Any:
    """A second browser: its own cookies, phone-sized, an Android Chrome."""
    ctx = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="en-GB", user_agent=PHONE_AGENT
    )
    ctx.set_default_timeout(15_000)
    yield ctx.new_page()
    ctx.close()


def test_signing_out_another_browser(live_server, page, phone, shot, password, app, user):
    base = live_server.url
    sign_in(phone, base, password, app, next_url="/account/two_factor/")
    expect(phone.get_by_role("heading", name="Your browsers")).to_be_visible()
    sign_in(page, base, password, app, next_url="/account/two_factor/")
    phone.reload()
    expect(phone.locator("#browser-list > li")).to_have_count(2)
    phone.locator("#browsers").scroll_into_view_if_needed()
    shot(phone, "the list at phone width")
    browsers = page.locator("#browser-list > li")
    expect(browsers).to_have_count(2)
    # This browser first, marked; the phone with its factors and a sign-out button.
    expect(browsers.nth(0).get_by_text("This browser")).to_be_visible()
    other = browsers.nth(1)
    expect(other.get_by_text("Chrome on Android")).to_be_visible()
    expect(
        other.get_by_text("Verified: Password (just now), Authenticator app (just now)")
    ).to_be_visible()
    expect(other.get_by_text("network 127.0.0.0/24")).to_be_visible()
    shot(page, "two signed-in browsers")
    # Keyboard only: tab to the phone's sign-out button and press Enter.
    button = other.get_by_role("button", name=re.compile(r"^Sign out Chrome on Android"))
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Signed out of Chrome on Android: it needs the password again.")
    ).to_be_visible()
    expect(browsers).to_have_count(1)
    shot(page, "the phone signed out")
    assert SignedInBrowser.objects.filter(user=user).count() == 1
    # The phone's next page that needs two-factor sends it to the password.
    phone.goto(f"{base}/account/two_factor/")
    expect(phone).to_have_url(re.compile(r"/account/login/\?next=/account/two_factor/$"))
    expect(phone.get_by_label("Password")).to_be_visible()
    shot(phone, "the phone must sign in again")
    # This browser stays signed in and verified.
    page.reload()
    expect(page.get_by_role("heading", name="Your browsers")).to_be_visible()

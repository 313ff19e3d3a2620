"""Set up a YubiKey and sign in with it in a real browser.

The key is simulated: it types its OTP followed by Enter, as a YubiKey does
(``keyboard.type``), into whatever field has the focus; the OTPs are made by
the yubiotp package and checked by a YK-VAL 2.0 server on loopback.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from otp_yubikey.models import RemoteYubikeyDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse"


def touch(page: Any, key: Any) -> str:
    """What a YubiKey does when touched: type an OTP and press Enter."""
    otp = key.otp()
    page.keyboard.type(otp)
    page.keyboard.press("Enter")
    return otp


def sign_in_with_password(page: Any, base: str) -> None:
    page.goto(f"{base}/account/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()
    # The password page has gone (the form may be sent a moment after the click).
    expect(page.get_by_label("Password")).to_be_hidden()


def test_set_up_a_yubikey_then_sign_in_by_touching_it(live_server, page, shot, user, service, key):
    base = live_server.url
    sign_in_with_password(page, base)
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/account/two_factor/setup/")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("YubiKey").check()
    shot(page, "choose method")
    page.get_by_role("button", name="Next").click()

    field = page.get_by_label(re.compile(r"^YubiKey:?$"))
    expect(field).to_be_focused()
    shot(page, "touch the key")
    setup_otp = touch(page, key)
    expect(page.get_by_role("heading", name="Two-factor authentication enabled")).to_be_visible()
    shot(page, "setup complete")
    device = RemoteYubikeyDevice.objects.get(user=user)
    assert device.public_id == key.public_id

    page.goto(f"{base}/")
    page.get_by_role("button", name="Sign out").click()
    sign_in_with_password(page, base)
    field = page.get_by_label(re.compile(r"^YubiKey:?$"))
    expect(field).to_be_focused()
    shot(page, "token step")

    # A replayed OTP (the set-up one) is refused with a message, not an error page.
    field.fill(setup_otp)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("not accepted")
    shot(page, "replay refused")

    # One failure costs no delay: the right OTP is accepted at once.
    field = page.get_by_label(re.compile(r"^YubiKey:?$"))
    field.fill("")
    field.focus()
    touch(page, key)
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text("signed in as alice")).to_be_visible()
    shot(page, "signed in")


def test_one_chromium_is_shared_by_every_packages_browser_tests(browser, request):
    """otp_core.testing_browser keeps the instance on the config for other conftests."""
    assert request.config._otp_chromium is browser
    assert browser.is_connected()

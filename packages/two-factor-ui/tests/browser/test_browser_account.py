"""The account page in a real browser, keyboard only, at phone and desktop width.

Each method is managed one by one (rename, ask first, remove), a remembered
browser is forgotten, new backup codes are downloaded (the file holds the
codes on screen) and printable, and a sign-in with a backup code says how
many are left, while the next sign-in asks for the authenticator app again.
"""

from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from otp_static.models import StaticDevice
from otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(375, id="phone"), pytest.param(1280, id="desktop")]


def new_totp(user: Any, name: str, totp_clock: Any) -> tuple[Any, Any]:
    key = secrets.token_hex(20)
    device = TOTPDevice.objects.create(user=user, name=name, key=key)
    return device, totp_clock(base64.b32encode(bytes.fromhex(key)).decode())


def press(page: Any, locator: Any, key: str = "Enter") -> None:
    """Move the keyboard focus to ``locator`` and press ``key`` (no mouse)."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def type_into(page: Any, locator: Any, text: str) -> None:
    locator.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def sign_in(page: Any, base: str, password: str, code: str, *, remember: bool = False) -> None:
    page.goto(f"{base}/account/login/?next=/account/two_factor/")
    type_into(page, page.get_by_label("Username"), "alice")
    type_into(page, page.get_by_label("Password"), password)
    page.keyboard.press("Enter")
    type_into(page, page.get_by_label(re.compile(r"^Code:?$")), code)
    if remember:
        press(page, page.get_by_label("Remember this browser"), "Space")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_manage_each_method_and_forget_a_browser(
    live_server, page, shot, user, password, totp_clock, settings, width
):
    settings.TWO_FACTOR_REMEMBER_COOKIE_AGE = 3600
    page.set_viewport_size({"width": width, "height": 740 if width < 600 else 900})
    base = live_server.url
    _app, clock = new_totp(user, "Authenticator app", totp_clock)
    spare, _spare_clock = new_totp(user, "Old phone", totp_clock)
    StaticDevice.objects.create(user=user, name="backup").generate_tokens()

    sign_in(page, base, password, clock.code(), remember=True)
    expect(
        page.locator(".tf-item-name").get_by_text("Authenticator app", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("Authenticator app (Old phone)")).to_be_visible()
    expect(page.get_by_text("10 backup codes left.")).to_be_visible()
    expect(page.get_by_role("button", name="Make new backup codes")).to_be_visible()
    expect(page.get_by_text("Show backup codes")).to_have_count(0)
    shot(page, "account page")
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Rename.
    press(page, page.get_by_role("link", name="Rename Authenticator app (Old phone)"))
    expect(page.get_by_role("heading", name="Rename a method")).to_be_visible()
    shot(page, "rename")
    type_into(page, page.get_by_label("New name"), "Spare phone")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Renamed")).to_be_visible()
    expect(page.get_by_text("Authenticator app (Spare phone)", exact=True)).to_be_visible()

    # Ask for it first.
    press(page, page.get_by_role("button", name="Ask for Authenticator app (Spare phone) first"))
    item = page.locator(".tf-item").filter(has_text="Spare phone")
    expect(item.get_by_text("Asked first")).to_be_visible()
    shot(page, "asked first")

    # Remove it, after a confirmation.
    press(page, page.get_by_role("link", name="Remove Authenticator app (Spare phone)"))
    expect(page.get_by_role("heading", name="Remove a method")).to_be_visible()
    shot(page, "remove confirmation")
    press(page, page.get_by_role("button", name="Remove"))
    expect(page.get_by_role("status").filter(has_text="Removed")).to_be_visible()
    expect(page.locator(".tf-item").filter(has_text="Spare phone")).to_have_count(0)
    assert not TOTPDevice.objects.filter(pk=spare.pk).exists()
    shot(page, "removed")

    # Forget this browser.
    browsers = page.locator(".tf-item").filter(has_text="This browser")
    expect(browsers).to_have_count(1)
    expect(browsers).to_contain_text("Chrome on Linux")
    shot(page, "remembered browsers")
    press(page, browsers.get_by_role("button", name=re.compile(r"^Forget ")))
    expect(page.get_by_role("status").filter(has_text="forgotten")).to_be_visible()
    expect(page.get_by_text("This browser is not remembered.")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"].startswith("remember-cookie_")]
    shot(page, "browser forgotten")


@pytest.mark.parametrize("width", WIDTHS)
def test_new_codes_download_and_print(
    live_server, page, shot, user, password, totp_clock, width, tmp_path: Path
):
    page.set_viewport_size({"width": width, "height": 740 if width < 600 else 900})
    base = live_server.url
    _app, clock = new_totp(user, "Authenticator app", totp_clock)
    StaticDevice.objects.create(user=user, name="backup").generate_tokens()
    sign_in(page, base, password, clock.code())

    press(page, page.get_by_role("button", name="Make new backup codes"))
    shown = page.get_by_role("region", name="Your backup codes").get_by_role("listitem")
    expect(shown).to_have_count(10)
    codes = [code.strip() for code in shown.all_inner_texts()]
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    shot(page, "new codes with download and print")

    with page.expect_download() as info:
        press(page, page.get_by_role("link", name="Download"))
    download = info.value
    assert re.fullmatch(r"backup-codes-\d{4}-\d{2}-\d{2}\.txt", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line in codes] == codes
    assert "Account: alice" in text

    # Printed, the page shows the codes and nothing else.
    page.emulate_media(media="print")
    printed = page.locator(".tf-print-only")
    expect(printed).to_be_visible()
    for code in codes:
        expect(printed).to_contain_text(code)
    save = page.locator('button[name="confirm"]')
    assert save.evaluate("el => getComputedStyle(el).visibility") == "hidden"
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    shot(page, "print preview")
    page.emulate_media(media="screen")


def test_codes_left_after_a_backup_code_then_the_app_comes_first(
    live_server, page, shot, user, password, totp_clock
):
    page.set_viewport_size({"width": 375, "height": 740})
    base = live_server.url
    # Named as django-two-factor-auth named it: never shown.
    new_totp(user, "default", totp_clock)
    device = StaticDevice.objects.create(user=user, name="backup")
    codes = device.generate_tokens(3)

    page.goto(f"{base}/account/login/?next=/account/two_factor/")
    type_into(page, page.get_by_label("Username"), "alice")
    type_into(page, page.get_by_label("Password"), password)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Enter the code from your Authenticator app.")).to_be_visible()
    press(page, page.get_by_role("button", name="Use a backup code"))
    type_into(page, page.get_by_label(re.compile(r"^Backup code:?$")), codes[0])
    page.keyboard.press("Enter")
    warning = page.get_by_role("status").filter(has_text="You have 2 backup codes left.")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("link", name="Make new backup codes now.")).to_be_visible()
    shot(page, "codes left warning")

    press(page, page.get_by_role("button", name="Sign out"))
    page.wait_for_url(lambda url: not url.endswith("/account/two_factor/"))
    page.goto(f"{base}/account/login/")
    type_into(page, page.get_by_label("Username"), "alice")
    type_into(page, page.get_by_label("Password"), password)
    page.keyboard.press("Enter")
    # The next sign-in asks for the app again, not for a backup code.
    expect(page.get_by_text("Enter the code from your Authenticator app.")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Code:?$"))).to_be_visible()
    expect(page.get_by_text("Use default")).to_have_count(0)
    shot(page, "next sign-in asks for the app")

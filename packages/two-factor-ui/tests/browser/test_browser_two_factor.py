"""Two-factor-ui in a real browser: set-up, sign-in, backup codes, remember, disable, admin.

Each test acts as a person does: it reads the TOTP secret from the set-up page
(the "enter the key by hand" part), computes codes with pyotp, reads backup
codes off the page that shows them, and photographs every step.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# -- what a person does, step by step ---------------------------------------


def sign_in_with_password(page: Any, url: str, username: str, password: str) -> None:
    """Open the two-factor login at ``url`` and pass the password step."""
    page.goto(url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Next").click()
    # The password page has gone (the code step, or the page after it): the
    # form may be sent a moment after the click (it waits for the passkey
    # request of the page to answer), and a goto() before that would race it.
    expect(page.get_by_label("Password")).to_be_hidden()


def code_field(page: Any, label: str = "Code") -> Any:
    """The code input, labelled ``Code`` (``Code:`` as Django renders it), not ``Backup code``."""
    return page.get_by_label(re.compile(rf"^{label}:?$"))


def enter_code(page: Any, code: str, *, label: str = "Code", remember: bool = False) -> None:
    code_field(page, label).fill(code)
    if remember:
        page.get_by_label("Remember this browser").check()
    page.get_by_role("button", name="Verify").click()


def sign_out(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def expect_signed_in(page: Any, base: str, username: str, device_name: str) -> None:
    """The demo's home page names the user and the device that verified the session."""
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text(f"signed in as {username}")).to_be_visible()
    expect(page.get_by_text(f"verified with {device_name}")).to_be_visible()


def set_up_totp(page: Any, base: str, shot: Any, totp_clock: Any) -> Any:
    """Walk the set-up wizard with an authenticator app; returns the app's clock."""
    page.goto(f"{base}/account/two_factor/setup/")
    expect(page.get_by_role("heading", name="Enable two-factor authentication")).to_be_visible()
    shot(page, "setup welcome")
    page.get_by_role("button", name="Next").click()

    page.get_by_label("Authenticator app").check()
    shot(page, "setup choose method")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_text("Cannot scan it? Enter the key by hand").click()
    secret = page.locator("code.otp-secret-key").inner_text()
    shot(page, "setup key shown")
    clock = totp_clock(re.sub(r"\s+", "", secret))
    code_field(page).fill(clock.code())
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Two-factor authentication enabled")).to_be_visible()
    shot(page, "setup complete")
    return clock


def sign_up(page: Any, base: str, shot: Any, totp_clock: Any, username: str, password: str) -> Any:
    """Sign in with the password alone (no device yet), then set up TOTP."""
    sign_in_with_password(page, f"{base}/account/login/", username, password)
    expect(page).to_have_url(f"{base}/")
    return set_up_totp(page, base, shot, totp_clock)


# -- the flows ----------------------------------------------------------------


def test_set_up_totp_then_sign_in_with_a_code(live_server, page, shot, user, password, totp_clock):
    base = live_server.url
    clock = sign_up(page, base, shot, totp_clock, "alice", password)
    assert TOTPDevice.objects.filter(user=user).filter(confirmed=True).count() == 1

    sign_out(page, base)
    shot(page, "signed out")

    # A protected page sends the person to the two-factor login.
    page.goto(f"{base}/protected/decorator/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/protected/decorator/$"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(password)
    shot(page, "password step")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Enter the code from your Authenticator app")).to_be_visible()
    shot(page, "token step")

    enter_code(page, clock.wrong_code())
    expect(page.get_by_role("alert")).to_contain_text("Invalid code")
    shot(page, "wrong code refused")

    # One wrong code costs no delay: the right one, typed at once, signs in.
    enter_code(page, clock.code())
    expect(page).to_have_url(f"{base}/protected/decorator/")
    expect(page.locator("#granted")).to_contain_text("Access granted")
    shot(page, "protected page")


def test_sign_in_with_a_backup_code(live_server, page, shot, user, password, totp_clock):
    base = live_server.url
    sign_up(page, base, shot, totp_clock, "alice", password)

    page.goto(f"{base}/account/two_factor/")
    shot(page, "profile")
    page.get_by_role("link", name="Make backup codes").first.click()
    expect(page.get_by_role("heading", name="Backup codes")).to_be_visible()
    expect(page.get_by_text("You have no backup codes.")).to_be_visible()
    page.get_by_role("button", name="Make backup codes").click()
    shown = page.get_by_role("region", name="Your backup codes").get_by_role("listitem")
    codes = [code.strip() for code in shown.all_inner_texts()]
    shot(page, "backup codes shown")
    assert len(codes) == 10
    assert len(set(codes)) == 10
    page.get_by_label("I have stored these codes").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your new backup codes are ready")
    expect(page.get_by_text("You have 10 backup codes left.")).to_be_visible()
    shot(page, "backup codes saved")

    sign_out(page, base)
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    page.get_by_role("button", name="Use a backup code").click()
    expect(page.get_by_text("Enter one of your backup codes")).to_be_visible()
    shot(page, "backup step")
    enter_code(page, codes[0], label="Backup code")
    expect_signed_in(page, base, "alice", "backup")
    shot(page, "signed in with backup code")

    page.goto(f"{base}/account/two_factor/backup/tokens/")
    # The page says it, and so did the message after the sign-in with a code.
    expect(
        page.locator("p:not([role])", has_text=f"You have {len(codes) - 1} backup codes left.")
    ).to_be_visible()
    shot(page, "one code used")

    # The same code does not work twice.
    sign_out(page, base)
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    page.get_by_role("button", name="Use a backup code").click()
    enter_code(page, codes[0], label="Backup code")
    expect(page.get_by_role("alert")).to_contain_text("Invalid code")
    shot(page, "used code refused")


def test_remember_browser_skips_the_token(
    live_server, page, shot, user, password, totp_clock, settings, browser
):
    settings.TWO_FACTOR_REMEMBER_COOKIE_AGE = 3600
    base = live_server.url
    clock = sign_up(page, base, shot, totp_clock, "alice", password)
    sign_out(page, base)

    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    expect(page.get_by_label("Remember this browser")).to_be_visible()
    code_field(page).fill(clock.code())
    page.get_by_label("Remember this browser").check()
    shot(page, "token with remember")
    page.get_by_role("button", name="Verify").click()
    expect_signed_in(page, base, "alice", "Authenticator app")
    remembered = [c for c in page.context.cookies() if c["name"].startswith("remember-cookie_")]
    assert len(remembered) == 1
    assert remembered[0]["httpOnly"] is True

    page.goto(f"{base}/account/two_factor/")
    expect(page.get_by_text("This browser is remembered")).to_be_visible()
    shot(page, "profile says remembered")

    # Next time the password is enough in this browser...
    sign_out(page, base)
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    expect_signed_in(page, base, "alice", "Authenticator app")
    shot(page, "signed in without token")

    # ...but not in another one.
    other = browser.new_context()
    try:
        other_page = other.new_page()
        sign_in_with_password(other_page, f"{base}/account/login/", "alice", password)
        expect(other_page.get_by_text("Enter the code from your Authenticator app")).to_be_visible()
        shot(other_page, "other browser asks for the token")
    finally:
        other.close()


def test_disable_two_factor(live_server, page, shot, user, password, totp_clock):
    base = live_server.url
    sign_up(page, base, shot, totp_clock, "alice", password)

    page.goto(f"{base}/account/two_factor/")
    page.get_by_role("link", name="Disable two-factor authentication").click()
    expect(page.get_by_role("heading", name="Disable two-factor authentication")).to_be_visible()
    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the confirmation is required
    shot(page, "confirmation required")
    page.get_by_label("Yes, I am sure").check()
    shot(page, "confirmed")
    page.get_by_role("button", name="Disable").click()

    page.goto(f"{base}/account/two_factor/")
    expect(page.get_by_text("Two-factor authentication is not enabled")).to_be_visible()
    shot(page, "profile disabled")
    assert not TOTPDevice.objects.filter(user=user).exists()

    sign_out(page, base)
    sign_in_with_password(page, f"{base}/account/login/", "alice", password)
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text("signed in as alice")).to_be_visible()
    expect(page.get_by_text("(not verified)")).to_be_visible()
    shot(page, "password alone signs in")


def test_admin_login_requires_the_token(
    live_server, page, shot, django_user_model, password, totp_clock
):
    django_user_model.objects.create_superuser("root", "root@example.com", password)
    base = live_server.url
    clock = sign_up(page, base, shot, totp_clock, "root", password)
    sign_out(page, base)

    page.goto(f"{base}/admin/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/admin/$"))
    shot(page, "admin sends to two-factor login")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Enter the code from your Authenticator app")).to_be_visible()
    shot(page, "admin token step")

    # The password alone does not open the admin.
    page.goto(f"{base}/admin/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/admin/$"))
    expect(page.get_by_label("Password")).to_be_visible()
    shot(page, "admin refused without token")

    sign_in_with_password(page, page.url, "root", password)
    enter_code(page, clock.code())
    expect(page).to_have_url(f"{base}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    shot(page, "admin index")

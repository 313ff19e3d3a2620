"""The core-only path in a real browser: otp-core's LoginView and enrolment pages, otp-totp.

No two-factor-ui page is used: the password-only sign-in of a user without a
device, the QR code and key of otp-core's enrolment page, a code from pyotp,
the protected page; and the refusal a user without a device meets where the
site does not let them in without one. Also the demo's own pages at phone
width: every link and button at least 44 px tall.
"""

from __future__ import annotations

import pyotp
import pytest
from django.urls import include, path
from playwright.sync_api import expect

from otp_core.views import LoginView
from otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse"

#: This module is also a URLconf: the site of docs/getting-started.rst's core-only walk.
urlpatterns = [
    path("open-login/", LoginView.as_view(allow_without_device=True), name="open_login"),
    path("", include("test_project.urls")),
]


@pytest.mark.urls(__name__)
def test_enrol_an_authenticator_app_and_open_a_protected_page(live_server, page, shot, user):
    page.goto(f"{live_server.url}/open-login/?next=/protected/decorator/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    shot(page, "password only")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    shot(page, "choose a method")
    page.get_by_role("link", name="Authenticator app").click()

    expect(page.get_by_role("heading", name="Set up: Authenticator app")).to_be_visible()
    expect(page.locator("figure.otp-qrcode svg")).to_be_visible()
    shot(page, "qr code")
    page.get_by_text("Cannot scan it? Enter the key by hand").click()
    key = page.locator("code.otp-secret-key").inner_text().replace(" ", "")
    shot(page, "key shown")

    page.get_by_role("textbox", name="Code").fill(
        "000000" if pyotp.TOTP(key).now() != "000000" else "111111"
    )
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid code")
    shot(page, "wrong code")

    page.get_by_role("textbox", name="Code").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Two-factor authentication is on")).to_be_visible()
    shot(page, "done")
    assert TOTPDevice.objects.get(user=user).confirmed

    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/protected/decorator/")
    expect(page.locator("#granted")).to_contain_text("Access granted")
    shot(page, "protected page")


def test_a_user_without_a_device_is_told_what_to_do(live_server, page, shot, user, settings):
    settings.LOGIN_URL = "login"
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your account has no two-factor device yet")
    expect(alert).to_contain_text("/account/2fa/setup/")
    shot(page, "no device")


def _small_targets(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('a, button')]
            .filter(e => e.offsetParent !== null)
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => `${e.textContent.trim()} (${e.getBoundingClientRect().height}px)`)"""
    )


def test_demo_pages_have_44px_targets_on_a_phone(live_server, page, shot, user, settings):
    settings.OTP_STEP_UP_URL = "needs"
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert _small_targets(page) == []
    shot(page, "home signed out")

    device = TOTPDevice.objects.create(user=user, name="Authenticator app", key="00" * 20)
    settings.LOGIN_URL = "login"
    page.goto(f"{live_server.url}/login/?next=/protected/step-up/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(pyotp.TOTP(device.secret_key.replace(" ", "")).now())
    page.get_by_role("button", name="Sign in").click()
    # Verified with an app: the step-up page explains what it needs (no loop).
    expect(page).to_have_url(f"{live_server.url}/protected/needs/?next=/protected/step-up/")
    expect(page.locator("#need")).to_contain_text("a hardware security key")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert _small_targets(page) == []
    shot(page, "step-up needs a hardware key")
    page.goto(f"{live_server.url}/")
    assert _small_targets(page) == []
    shot(page, "home signed in")

"""The browser fixtures themselves: Chromium against live_server, and the virtual authenticator.

These use pages that do not depend on two-factor-ui: the test project's demo
login (otp-core's ``LoginView``) with a device of the test-only example plugin.
"""

from __future__ import annotations

import secrets

import pytest
from otp_example.models import ExampleDevice
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_login_with_hotp_code(live_server, page, shot, user, password, hotp, settings):
    settings.LOGIN_URL = "login"  # the demo's one-form login, even where two-factor-ui is installed
    key = secrets.token_hex(20)
    device = ExampleDevice.objects.create(user=user, name="Counter", key=key)

    page.goto(f"{live_server.url}/protected/decorator/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/protected/decorator/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "sent to login")

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_label("One-time code").fill(hotp(key, 5))  # outside the window of 2
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid code")
    shot(page, "wrong code refused")

    # One failure costs no delay (the second would): the right code works at once.
    page.get_by_label("Password").fill(password)
    page.get_by_label("One-time code").fill(hotp(key, 0))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/protected/decorator/")
    expect(page.locator("#granted")).to_contain_text("Access granted")
    expect(page.get_by_text("verified with Example codes (Counter)")).to_be_visible()
    shot(page, "protected page")

    device.refresh_from_db()
    assert device.counter == 1


def test_virtual_authenticator_creates_a_resident_credential(
    live_server, page, shot, virtual_authenticator
):
    page.goto(f"{live_server.url}/login/")
    assert page.evaluate("typeof PublicKeyCredential") == "function"
    assert page.evaluate("PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable()") in (
        True,
        False,
    )
    assert virtual_authenticator.credentials() == []

    # A registration ceremony entirely in the browser: the authenticator answers at once.
    created = page.evaluate(
        """async () => {
            const credential = await navigator.credentials.create({publicKey: {
                rp: {id: location.hostname, name: "otp tests"},
                user: {id: new Uint8Array([1, 2, 3, 4]), name: "alice", displayName: "Alice"},
                challenge: crypto.getRandomValues(new Uint8Array(32)),
                pubKeyCredParams: [{type: "public-key", alg: -7}],
                authenticatorSelection: {residentKey: "required", userVerification: "required"},
            }});
            return {id: credential.id, type: credential.type,
                    attachment: credential.authenticatorAttachment};
        }"""
    )
    shot(page, "after registration")
    assert created["type"] == "public-key"

    stored = virtual_authenticator.credentials()
    assert len(stored) == 1
    assert stored[0]["rpId"] == "localhost"
    assert stored[0]["isResidentCredential"] is True
    # The id the page saw is the authenticator's credential id (base64url vs base64).
    as_base64url = stored[0]["credentialId"].rstrip("=").replace("+", "-").replace("/", "_")
    assert as_base64url == created["id"]

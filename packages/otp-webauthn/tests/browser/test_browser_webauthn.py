"""Security keys and passkeys in headless Chromium, with DevTools virtual authenticators.

Each test acts as a person does on the demo site (two-factor-ui's pages): it
registers a key in the set-up wizard, signs in with password + key, with a
passkey by button and by autofill, cancels a ceremony, and removes a key.
py_webauthn checks what a real browser's authenticator signed; the session's
record says which kind of key it was (``hwk`` device-bound, ``swk`` synced).
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from otp_core.session import record_verification, second_factor_verifications
from otp_webauthn.models import WebAuthnDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_MEDIATION = """
const get = navigator.credentials.get.bind(navigator.credentials);
navigator.credentials.get = (options) => {
  sessionStorage.setItem("mediation", (options && options.mediation) || "required");
  return get(options);
};
"""
NO_AUTOFILL = "PublicKeyCredential.isConditionalMediationAvailable = async () => false;"


# -- what a person does ----------------------------------------------------------------


def sign_in_with_password(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Next").click()
    # The form may be sent a moment after the click (it waits for the page's
    # passkey request to answer): a goto() before the password page has gone
    # would race that submission.
    expect(page.get_by_label("Password")).to_be_hidden()


def register_key(page: Any, base: str, shot: Any, name: str, *, choose: bool = True) -> None:
    """The set-up wizard with "Security key or passkey"; ends on the completion page."""
    page.goto(f"{base}/account/two_factor/setup/")
    # The intro is only for a first method; "Add a sign-in method" opens on the choice.
    if page.get_by_role("heading", name="Enable two-factor authentication").count():
        page.get_by_role("button", name="Next").click()
    if choose:
        page.get_by_label("Security key or passkey").check()
        page.get_by_role("button", name="Next").click()
    expect(
        page.get_by_role("heading", name="Register your security key or passkey")
    ).to_be_visible()
    page.get_by_label("Name of the key").fill(name)
    shot(page, "name the key")
    page.get_by_role("button", name="Register security key").click()
    expect(page.get_by_role("heading", name="Two-factor authentication enabled")).to_be_visible()
    shot(page, "key registered")


def sign_out(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def session_of(page: Any) -> SessionStore:
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=cookie["value"])


def record(page: Any) -> list[Any]:
    return second_factor_verifications(session_of(page))


def log_in_as(page: Any, client: Any, live_server: Any, user: Any, device: Any = None) -> None:
    """Give the browser a signed-in session (verified by ``device`` if given)."""
    client.force_login(user)
    if device is not None:
        session = client.session
        record_verification(session, device, time.time())
        session.save()
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


# -- the tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(("synced", "kind"), [(False, "hwk"), (True, "swk")])
def test_register_then_sign_in_with_password_and_key(
    live_server, page, shot, authenticator, user, password, synced, kind
):
    base = live_server.url
    key = authenticator(synced=synced)
    sign_in_with_password(page, base, user.username, password)
    register_key(page, base, shot, "Blue key")
    device = WebAuthnDevice.objects.get(user=user)
    assert device.name == "Blue key"
    assert device.backup_eligible is synced
    assert device.factor_kind == kind
    assert len(key.credentials()) == 1
    # "none" attestation signs no challenge: set-up is no verification of the session.
    assert record(page) == []

    sign_out(page, base)
    sign_in_with_password(page, base, user.username, password)
    expect(page.get_by_role("button", name="Use your security key")).to_be_visible()
    expect(page.get_by_role("button", name="Verify")).to_have_count(0)
    expect(page.get_by_role("button", name="Send a new code")).to_have_count(0)
    shot(page, "second factor step")
    page.get_by_role("button", name="Use your security key").click()
    expect(page).to_have_url(f"{base}/")
    expect(
        page.get_by_text(re.compile(r"verified with (Security key|Passkey) \(Blue key\)"))
    ).to_be_visible()
    shot(page, "signed in with the key")
    [entry] = record(page)
    assert (entry.device_id, entry.amr, entry.passwordless) == (device.persistent_id, kind, False)
    device.refresh_from_db()
    assert device.last_used_at is not None


@pytest.mark.parametrize(("synced", "kind"), [(False, "hwk"), (True, "swk")])
def test_passkey_sign_in_by_button(
    live_server, page, shot, authenticator, user, password, synced, kind
):
    base = live_server.url
    authenticator(synced=synced)
    sign_in_with_password(page, base, user.username, password)
    register_key(page, base, shot, "Passkey")
    sign_out(page, base)

    # A browser without autofill for passkeys: the button is the way in.
    page.add_init_script(NO_AUTOFILL)
    page.goto(f"{base}/account/login/?next=/protected/decorator/")
    username = page.get_by_label("Username")
    expect(username).to_have_attribute("autocomplete", "username webauthn")
    button = page.get_by_role("button", name="Sign in with a passkey")
    expect(button).to_be_visible()
    shot(page, "login page with passkey button")
    button.click()
    expect(page).to_have_url(f"{base}/protected/decorator/")
    expect(page.locator("#granted")).to_contain_text("Access granted")
    shot(page, "signed in with a passkey")
    [entry] = record(page)
    assert (entry.amr, entry.passwordless) == (kind, True)


def test_passkey_sign_in_by_autofill(live_server, page, shot, authenticator, user, password):
    base = live_server.url
    # A platform authenticator: Chromium offers autofill (conditional mediation) for it.
    authenticator(transport="internal")
    sign_in_with_password(page, base, user.username, password)
    register_key(page, base, shot, "Laptop")
    sign_out(page, base)

    # Chromium's virtual platform authenticator answers a conditional request
    # at once, as a person picking the passkey from the autofill list would.
    # The page's calls are noted to tell autofill from the button.
    page.add_init_script(RECORD_MEDIATION)
    page.goto(f"{base}/account/login/?next=/protected/decorator/")
    expect(page).to_have_url(f"{base}/protected/decorator/")
    assert page.evaluate("sessionStorage.getItem('mediation')") == "conditional"
    expect(page.locator("#granted")).to_contain_text("Access granted")
    shot(page, "signed in by autofill")
    [entry] = record(page)
    assert entry.passwordless


def test_cancelled_ceremony_is_announced(live_server, page, shot, authenticator, user, password):
    base = live_server.url
    key = authenticator()
    sign_in_with_password(page, base, user.username, password)
    register_key(page, base, shot, "Blue key")
    sign_out(page, base)

    # Passkey sign-in requires user verification; the authenticator now fails it.
    key.set_user_verified(False)
    page.add_init_script(NO_AUTOFILL)
    page.goto(f"{base}/account/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    status = page.locator(".otp-passkey-login [role=status]")
    expect(status).to_contain_text("cancelled or timed out")
    expect(status).to_have_attribute("aria-live", "polite")
    shot(page, "ceremony cancelled")
    expect(page).to_have_url(f"{base}/account/login/")
    assert record(page) == []
    # The button works again once the person verifies.
    key.set_user_verified(True)
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_url(f"{base}/")


def test_already_registered_key_and_removing_a_key(
    live_server, page, shot, authenticator, user, client
):
    from otp_totp.models import TOTPDevice

    base = live_server.url
    authenticator()
    app = TOTPDevice.objects.create(user=user, name="Phone app", confirmed=True)
    log_in_as(page, client, live_server, user, app)
    register_key(page, base, shot, "Blue key")
    # The same authenticator again: the browser refuses (excludeCredentials).
    page.goto(f"{base}/account/two_factor/setup/")
    expect(page.get_by_role("heading", name="Add a sign-in method")).to_be_visible()
    page.get_by_label("Security key or passkey").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Register security key").click()
    expect(page.locator(".otp-setup-webauthn [role=status]")).to_contain_text("already registered")
    shot(page, "already registered")
    assert WebAuthnDevice.objects.filter(user=user).count() == 1

    page.goto(f"{base}/account/two_factor/")
    key_item = page.locator("li", has_text="Blue key")
    expect(key_item).to_contain_text("device-bound key")
    expect(key_item).to_contain_text("never used")
    shot(page, "profile lists the key")
    page.get_by_role("link", name="Rename Security key (Blue key)").click()
    page.get_by_label("New name").fill("Red key")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("li", has_text="Red key")).to_be_visible()
    page.get_by_role("link", name="Remove Security key (Red key)").click()
    page.get_by_role("button", name="Remove").click()
    expect(page.locator("li", has_text="Red key")).to_have_count(0)
    shot(page, "key removed")
    assert not WebAuthnDevice.objects.filter(user=user).exists()
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_without_webauthn_the_method_is_hidden_with_a_note(live_server, page, shot, user, password):
    base = live_server.url
    page.add_init_script("delete window.PublicKeyCredential;")
    page.goto(f"{base}/account/login/")
    expect(page.locator("[data-otp-webauthn=passkey]")).to_have_attribute(
        "data-otp-webauthn-ready", "unsupported"
    )
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_hidden()
    sign_in_with_password(page, base, user.username, password)
    page.goto(f"{base}/account/two_factor/setup/")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Security key or passkey").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("This browser does not support security keys")).to_be_visible()
    expect(page.get_by_role("button", name="Register security key")).to_be_hidden()
    shot(page, "no webauthn")


@pytest.mark.parametrize("send", ["button", "enter"])
def test_password_sign_in_waits_for_autofill_to_begin(
    live_server, page, shot, monkeypatch, user, password, send
):
    """Autofill's begin request and the password form must not race.

    With no session yet, each starts one and sets the session cookie; had the
    password step gone ahead, whichever response came last would win, and the
    code step could lose its state and start over. The begin request is held
    at the server here: the password form waits for it, then goes on.
    """
    from otp_core.oath import totp
    from otp_totp.models import TOTPDevice
    from otp_webauthn import ceremonies

    base = live_server.url
    device = TOTPDevice.objects.create(user=user, name="Phone app", confirmed=True)
    entered, release = threading.Event(), threading.Event()
    issue_options = ceremonies.authentication_options

    def held(request: Any) -> Any:
        entered.set()
        release.wait(10)
        return issue_options(request)

    monkeypatch.setattr(ceremonies, "authentication_options", held)
    posts: list[str] = []
    page.on(
        "request",
        lambda request: posts.append(request.url) if request.method == "POST" else None,
    )
    page.goto(f"{base}/account/login/")
    assert entered.wait(10), "the login page began no autofill request"
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    if send == "enter":  # the browser's implicit submission, from the keyboard
        page.get_by_label("Password").press("Enter")
    else:
        page.get_by_role("button", name="Next").click()
    page.wait_for_timeout(500)
    assert posts == [f"{base}/webauthn/authenticate/begin/"]
    expect(page.get_by_label("Password")).to_be_visible()

    release.set()
    expect(page.get_by_text("Enter the code from your")).to_be_visible()
    assert posts[1:] == [f"{base}/account/login/"]
    shot(page, "code step after the begin request")
    page.get_by_label(re.compile("^Code")).fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base}/")
    [entry] = record(page)
    assert entry.device_id == device.persistent_id


def test_no_autofill_begins_after_the_password_form_is_sent(
    live_server, page, monkeypatch, user, password
):
    """A browser slow to say it offers autofill, a server slow to answer the
    password: the password went first, so no begin request follows it while
    its answer is awaited (that request would race the sign-in's session)."""
    from otp_totp.models import TOTPDevice
    from two_factor_ui.views import login

    TOTPDevice.objects.create(user=user, name="Phone app", confirmed=True)
    base = live_server.url
    pick_device = login.default_device

    def slow(user: Any) -> Any:
        time.sleep(1.5)
        return pick_device(user)

    monkeypatch.setattr(login, "default_device", slow)
    # The browser says it offers autofill only once the password form was
    # sent, however fast or slow this machine is: autofill must not begin then.
    page.add_init_script(
        "PublicKeyCredential.isConditionalMediationAvailable = () =>"
        " new Promise((resolve) => document.addEventListener("
        "'submit', () => setTimeout(() => resolve(true), 0), {capture: true, once: true}));"
    )
    posts: list[str] = []
    page.on(
        "request",
        lambda request: posts.append(request.url) if request.method == "POST" else None,
    )
    page.goto(f"{base}/account/login/")
    expect(page.locator("[data-otp-webauthn-ready=yes]")).to_have_count(1)  # listening
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Enter the code from your")).to_be_visible()
    assert posts == [f"{base}/account/login/"]

"""otp-core's own enrolment pages (``otp_core.urls``) with the real OATH plugins.

The core-only path: a signed-in user adds an authenticator app (TOTP) or a
counter-based token (HOTP), sees the QR code and the key, and confirms with a
code; the device is then saved, announced (``device_added``) and counts as
this session's verification, under a new session key.
"""

from __future__ import annotations

import base64
import re

import pyotp
import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import resolve_url
from django.urls import reverse

from otp_core import signals
from otp_core.auth import devices_for_user
from otp_core.setup_oath import pending_key
from otp_core.views_setup import SESSION_KEY, enrolment_plugins
from otp_hotp.models import HOTPDevice
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

SETUP = "/account/2fa/setup/"


@pytest.fixture
def added():
    log = []

    def receiver(sender, device, request=None, **kwargs):
        log.append(device)

    signals.device_added.connect(receiver, weak=False)
    yield log
    signals.device_added.disconnect(receiver)


def _key(client, plugin="totp") -> bytes:
    state = client.session[SESSION_KEY]["state"]
    return bytes.fromhex(pending_key(state[f"otp_{plugin}"]))


def test_url_names():
    assert reverse("otp_core:setup") == SETUP
    assert reverse("otp_core:setup_device", kwargs={"plugin": "totp"}) == SETUP + "totp/"


def test_only_oath_plugins_are_offered():
    names = [p.name for p in enrolment_plugins()]
    assert "totp" in names
    assert "hotp" in names
    assert "static" not in names
    assert "email" not in names


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(SETUP + "totp/")
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_index_lists_the_methods(client, user):
    client.force_login(user)
    response = client.get(SETUP + "?next=/protected/decorator/")
    text = response.content.decode()
    assert "Authenticator app" in text
    assert "Counter-based token" in text
    assert 'href="/account/2fa/setup/totp/?next=/protected/decorator/"' in text


def test_totp_enrolment_end_to_end(client, user, added):
    client.force_login(user)
    before = client.session.session_key
    page = client.get(SETUP + "totp/?next=/protected/decorator/")
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    key = _key(client)
    b32 = base64.b32encode(key).decode().rstrip("=")
    assert "<svg" in text  # the QR code
    assert " ".join(re.findall(".{1,4}", b32)) in text  # the key, grouped
    # The pending key is in the session only encrypted, and in no URL.
    raw = SessionStore(session_key=client.session.session_key).load()
    assert key.hex() not in str(raw)
    assert b32 not in str(raw)
    assert b32 not in page.wsgi_request.get_full_path()
    # The same key on a reload (the user may have scanned it already).
    client.get(SETUP + "totp/")
    assert _key(client) == key

    wrong = client.post(SETUP + "totp/", {"token": "000000", "next": "/protected/decorator/"})
    assert wrong.status_code == 200
    assert "Invalid code" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()

    code = pyotp.TOTP(base64.b32encode(key).decode()).now()
    done = client.post(SETUP + "totp/", {"token": code, "next": "/protected/decorator/"})
    assert done.status_code == 302
    assert done["Location"] == reverse("otp_core:setup_done") + "?next=%2Fprotected%2Fdecorator%2F"
    [device] = TOTPDevice.objects.filter(user=user)
    assert device.confirmed
    assert added == [device]
    assert client.session.session_key != before  # rotated by otp_core.login
    assert SESSION_KEY not in client.session
    final = client.get(done["Location"])
    assert final.wsgi_request.user.is_verified()
    assert device.name in final.content.decode()
    assert client.get("/protected/decorator/").status_code == 200


def test_hotp_enrolment(client, user, added):
    client.force_login(user)
    client.get(SETUP + "hotp/")
    code = pyotp.HOTP(base64.b32encode(_key(client, "hotp")).decode()).at(0)
    response = client.post(SETUP + "hotp/", {"token": code})
    assert response.status_code == 302
    [device] = HOTPDevice.objects.filter(user=user)
    assert added == [device]
    # The set-up code moved the counter: it cannot sign in again.
    assert device.verify_token(code) is False


def test_next_must_stay_on_the_site(client, user):
    client.force_login(user)
    client.get(SETUP + "totp/")
    code = pyotp.TOTP(base64.b32encode(_key(client)).decode()).now()
    response = client.post(SETUP + "totp/", {"token": code, "next": "https://evil.example/"})
    assert response["Location"] == reverse("otp_core:setup_done")
    assert "evil" not in client.get(response["Location"]).content.decode()


def test_a_user_with_a_device_must_verify_first(client, user):
    TOTPDevice.objects.create(user=user, name="phone", key="00" * 20)
    client.force_login(user)
    response = client.get(SETUP + "totp/")
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")
    assert SESSION_KEY not in client.session


def test_a_verified_user_may_add_another(client, user, verified_login):
    device = TOTPDevice.objects.create(user=user, name="phone", key="00" * 20)
    verified_login(user, device)
    assert client.get(SETUP + "hotp/").status_code == 200


@pytest.mark.parametrize("name", ["static", "email", "nosuch"])
def test_other_plugins_are_not_found(client, user, name):
    client.force_login(user)
    assert client.get(f"{SETUP}{name}/").status_code == 404


def test_damaged_pending_state_starts_over(client, user):
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = {"plugin": "totp", "state": {"otp_totp": {"key_encrypted": 42}}}
    session.save()
    assert client.get(SETUP + "totp/").status_code == 200
    assert len(_key(client)) == 20
    assert devices_for_user(user) == []

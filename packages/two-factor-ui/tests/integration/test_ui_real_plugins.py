"""Full flows with the real otp-totp and otp-static plugins (full sessions only).

The isolation session installs otp-core + two-factor-ui + the example plugin
and does not collect this directory.
"""

from __future__ import annotations

import base64
import json
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from otp_core import oath
from otp_core.session import stored_verifications
from otp_core.setup_oath import pending_key
from otp_static.models import StaticDevice
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def totp_now(device, offset=0):
    value = oath.totp(
        bytes.fromhex(device.key),
        time.time() + offset * device.step,
        step=device.step,
        digits=device.digits,
    )
    return oath.format_token(value, device.digits)


@pytest.fixture
def totp(user):
    return TOTPDevice.objects.create(user=user, name="Phone")


@pytest.fixture
def codes(user):
    device = StaticDevice.objects.create(user=user, name="backup")
    return device, device.generate_tokens()


def setup_post(client, step, fields=None, **extra):
    data = {"setup_view-current_step": step}
    data.update({f"{step}-{k}": v for k, v in (fields or {}).items()})
    data.update(extra)
    return client.post(reverse("two_factor:setup"), data)


def test_totp_setup_secret_key_qr_and_backup_link(client, user):
    client.force_login(user)
    client.get(reverse("two_factor:setup"))
    response = setup_post(client, "welcome")
    html = response.content.decode()
    if 'name="method-method"' in html:
        # The backup-code plugin is never a primary method.
        assert 'value="static"' not in html
        assert 'value="totp"' in html
        response = setup_post(client, "method", {"method": "totp"})
    assert response.status_code == 200
    secret_key = response.context["secret_key"]
    assert secret_key
    assert secret_key.replace(" ", "") in response.content.decode().replace(" ", "")
    qr = client.get(reverse("two_factor:qr"))
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    key = pending_key(client.session["wizard_setup_view"]["extra_data"]["state"]["otp_totp"])
    # The pending key is not in the session store in clear, neither hex nor base32.
    stored = Session.objects.get(session_key=client.session.session_key)
    decoded = json.dumps(stored.get_decoded())
    for text in (decoded, stored.session_data):
        assert key not in text
        assert key.upper() not in text
        assert secret_key.replace(" ", "") not in text
        assert base64.b32encode(bytes.fromhex(key)).decode().rstrip("=") not in text
    code = oath.format_token(oath.totp(bytes.fromhex(key)))
    response = setup_post(client, "totp-0", {"token": code})
    assert response["Location"] == reverse("two_factor:setup_complete")
    device = TOTPDevice.objects.get(user=user)
    assert stored_verifications(client.session)[-1].device_id == device.persistent_id
    page = client.get(reverse("two_factor:setup_complete")).content.decode()
    assert reverse("two_factor:backup_tokens") in page
    # The pending key is gone: the QR view has nothing to show.
    assert client.get(reverse("two_factor:qr")).status_code == 404


def test_login_with_totp(client, user, totp, make_flow):
    flow = make_flow(client)
    flow.password()
    response = flow.token(totp_now(totp))
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_with_backup_code(client, user, totp, codes, make_flow):
    device, plain = codes
    flow = make_flow(client)
    response = flow.password()
    html = response.content.decode()
    assert 'name="wizard_goto_step" value="backup"' in html
    response = flow.post("token", wizard_goto_step="backup")
    assert 'name="backup-otp_token"' in response.content.decode()
    response = flow.backup(plain[0])
    assert response.status_code == 302
    assert stored_verifications(client.session)[-1].device_id == device.persistent_id
    assert device.remaining == len(plain) - 1


def test_user_with_only_backup_codes_gets_backup_step(client, user, codes, make_flow):
    _, plain = codes
    flow = make_flow(client)
    response = flow.password()
    assert 'name="backup-otp_token"' in response.content.decode()
    assert flow.backup(plain[1]).status_code == 302


def test_backup_tokens_page_generates_shows_once_and_counts(client, user, totp, make_flow):
    flow = make_flow(client)
    flow.password()
    flow.token(totp_now(totp))
    url = reverse("two_factor:backup_tokens")
    page = client.get(url).content.decode()
    assert "You have no backup codes." in page
    response = client.post(url, {"generate": "1"})
    html = response.content.decode()
    shown = re.findall(r"<code>([^<]+)</code>", html)
    assert len(shown) == 10
    # Confirm with the plugin's own checkbox.
    fingerprint = re.search(r'name="backup-codes_fingerprint" value="([^"]*)"', html).group(1)
    response = client.post(
        url, {"confirm": "1", "backup-stored": "on", "backup-codes_fingerprint": fingerprint}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "You have 10 backup codes left." in html
    assert not any(code in html for code in shown)  # shown once only
    device = StaticDevice.objects.get(user=user, confirmed=True)
    assert device.verify_token(shown[0])


def test_a_save_without_the_checkbox_keeps_the_codes_on_screen(client, user, totp, make_flow):
    """Issue 13: the refused save used to show a new set, voiding the one written down."""
    flow = make_flow(client)
    flow.password()
    flow.token(totp_now(totp))
    url = reverse("two_factor:backup_tokens")
    html = client.post(url, {"generate": "1"}).content.decode()
    shown = re.findall(r"<code>([^<]+)</code>", html)
    fingerprint = re.search(r'name="backup-codes_fingerprint" value="([^"]*)"', html).group(1)
    refused = client.post(url, {"confirm": "1", "backup-codes_fingerprint": fingerprint})
    assert refused.status_code == 400
    again = refused.content.decode()
    assert re.findall(r"<code>([^<]+)</code>", again) == shown
    fingerprint = re.search(r'name="backup-codes_fingerprint" value="([^"]*)"', again).group(1)
    saved = client.post(
        url, {"confirm": "1", "backup-stored": "on", "backup-codes_fingerprint": fingerprint}
    )
    assert "You have 10 backup codes left." in saved.content.decode()
    device = StaticDevice.objects.get(user=user, confirmed=True)
    assert device.verify_token(shown[0])


def test_backup_tokens_needs_verified_session(client, user, totp):
    client.force_login(user)
    response = client.get(reverse("two_factor:backup_tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:step_up"))


def test_profile_lists_devices_and_remaining_codes(client, user, totp, codes):
    client.force_login(user)
    html = client.get(reverse("two_factor:profile")).content.decode()
    assert "Authenticator app" in html
    assert "Phone" in html
    assert "10 backup codes left." in html

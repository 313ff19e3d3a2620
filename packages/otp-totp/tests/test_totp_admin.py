"""The TOTP admin and the issue's "done when" flow (admin, QR, code, otp_required)."""

from __future__ import annotations

import html
import re
import time

import pyotp
import pytest
from django.urls import reverse

from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def test_admin_is_the_shared_oath_admin():
    # The QR page, key hiding and access rules are otp-core's OATH admin,
    # tested once in otp-core (test_oath_models_admin.py).
    from django.contrib import admin

    from otp_core.admin_oath import OATHDeviceAdmin

    assert isinstance(admin.site._registry[TOTPDevice], OATHDeviceAdmin)


def _qr_url(device: TOTPDevice) -> str:
    return reverse("admin:otp_core_totp_totpdevice_qrcode", kwargs={"object_id": device.pk})


def _config_url(response) -> str:
    match = re.search(r'<code id="otp-config-url">([^<]+)</code>', response.content.decode())
    assert match, "the QR page shows the otpauth URI"
    return html.unescape(match.group(1))


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw")


def test_done_when_admin_adds_device_user_scans_and_passes_otp_required(client, superuser, user):
    # The superuser adds a TOTP device for alice in the admin.
    client.force_login(superuser)
    response = client.post(
        "/admin/otp_core_totp/totpdevice/add/",
        {
            "user": user.pk,
            "name": "Alice's phone",
            "confirmed": "on",
            "digits": "6",
            "algorithm": "sha1",
            "step": "30",
            "t0": "0",
            "tolerance": "1",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert len(device.bin_key) == 20

    # "Scanning" the QR code: the QR page gives the otpauth URI.
    uri = _config_url(client.get(_qr_url(device)))
    app = pyotp.parse_uri(uri)
    client.logout()

    # Alice is sent to sign in, then signs in with her password and a code.
    assert client.get("/protected/decorator/").status_code == 302
    code = app.at(int(time.time()))
    response = client.post(
        "/login/",
        {"username": "alice", "password": "correct horse", "otp_token": code},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/protected/decorator/").status_code == 200

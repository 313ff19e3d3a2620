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


def test_done_when_admin_adds_device_user_scans_and_passes_otp_required(
    client, verified_login, superuser, user
):
    # The superuser (verified, as the admin requires) adds a TOTP device for alice in the admin.
    verified_login(superuser, TOTPDevice.objects.create(user=superuser, name="root's"))
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


def test_admin_post_cannot_weaken_an_existing_device(client, verified_login, superuser, user):
    # Issue 8: staff with change permission set a tolerance of 32767 and so on.
    device = TOTPDevice.objects.create(user=user, name="phone", digits=8)
    before = TOTPDevice.objects.values().get(pk=device.pk)
    verified_login(superuser, TOTPDevice.objects.create(user=superuser, name="root's"))
    url = f"/admin/otp_core_totp/totpdevice/{device.pk}/change/"
    page = client.get(url).content.decode()
    for field in ("digits", "algorithm", "step", "t0", "tolerance", "drift", "user"):
        assert f'name="{field}"' not in page
    response = client.post(
        url,
        {
            "name": "renamed",
            "confirmed": "on",
            "digits": "6",
            "algorithm": "sha256",
            "step": "3600",
            "t0": "-100000",
            "tolerance": "32767",
            "drift": "1000",
            "last_t": "-1",
            "user": superuser.pk,
        },
    )
    assert response.status_code == 302
    after = TOTPDevice.objects.values().get(pk=device.pk)
    assert after["name"] == "renamed"
    assert {k: v for k, v in after.items() if k not in ("name", "key")} == {
        k: v for k, v in before.items() if k not in ("name", "key")
    }


@pytest.mark.parametrize(("tolerance", "accepted"), [("5", True), ("6", False), ("32767", False)])
def test_admin_bounds_the_tolerance_of_a_new_device(
    client, verified_login, superuser, user, tolerance, accepted
):
    verified_login(superuser, TOTPDevice.objects.create(user=superuser, name="root's"))
    response = client.post(
        "/admin/otp_core_totp/totpdevice/add/",
        {
            "user": user.pk,
            "name": "wide",
            "confirmed": "on",
            "digits": "6",
            "algorithm": "sha1",
            "step": "30",
            "t0": "0",
            "tolerance": tolerance,
        },
    )
    assert TOTPDevice.objects.filter(user=user).exists() is accepted
    if not accepted:
        assert response.status_code == 200
        assert "tolerance" in response.context["adminform"].form.errors

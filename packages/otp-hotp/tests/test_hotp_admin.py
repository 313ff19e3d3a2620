"""The HOTP admin and the issue's "done when" flow (admin, QR, code, otp_required)."""

from __future__ import annotations

import html
import re

import pyotp
import pytest
from django.urls import reverse

from otp_hotp.models import HOTPDevice

pytestmark = pytest.mark.django_db


def test_admin_is_the_shared_oath_admin():
    # The QR page, key hiding and access rules are otp-core's OATH admin,
    # tested once in otp-core (test_oath_models_admin.py).
    from django.contrib import admin

    from otp_core.admin_oath import OATHDeviceAdmin

    assert isinstance(admin.site._registry[HOTPDevice], OATHDeviceAdmin)


def _qr_url(device: HOTPDevice) -> str:
    return reverse("admin:otp_core_hotp_hotpdevice_qrcode", kwargs={"object_id": device.pk})


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
    # The superuser (verified, as the admin requires) adds a HOTP device for alice in the admin.
    verified_login(superuser, HOTPDevice.objects.create(user=superuser, name="root's"))
    response = client.post(
        "/admin/otp_core_hotp/hotpdevice/add/",
        {
            "user": user.pk,
            "name": "Alice's phone",
            "confirmed": "on",
            "digits": "6",
            "algorithm": "sha1",
            "tolerance": "5",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device = HOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert len(device.bin_key) == 20

    # "Scanning" the QR code: the QR page gives the otpauth URI.
    uri = _config_url(client.get(_qr_url(device)))
    app = pyotp.parse_uri(uri)
    client.logout()

    # Alice is sent to sign in, then signs in with her password and a code.
    assert client.get("/protected/decorator/").status_code == 302
    code = app.at(0)
    response = client.post(
        "/login/",
        {"username": "alice", "password": "correct horse", "otp_token": code},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/protected/decorator/").status_code == 200


def test_admin_post_cannot_weaken_an_existing_device(client, verified_login, superuser, user):
    # Issue 8: staff with change permission widen the window or shorten the code.
    device = HOTPDevice.objects.create(user=user, name="token", digits=8, counter=7)
    before = HOTPDevice.objects.values().get(pk=device.pk)
    verified_login(superuser, HOTPDevice.objects.create(user=superuser, name="root's"))
    url = f"/admin/otp_core_hotp/hotpdevice/{device.pk}/change/"
    response = client.post(
        url,
        {
            "name": "renamed",
            "confirmed": "on",
            "digits": "6",
            "algorithm": "sha512",
            "tolerance": "32767",
            "counter": "0",
            "user": superuser.pk,
        },
    )
    assert response.status_code == 302
    after = HOTPDevice.objects.values().get(pk=device.pk)
    assert after["name"] == "renamed"
    assert {k: v for k, v in after.items() if k not in ("name", "key")} == {
        k: v for k, v in before.items() if k not in ("name", "key")
    }


@pytest.mark.parametrize(("tolerance", "accepted"), [("10", True), ("11", False), ("32767", False)])
def test_admin_bounds_the_tolerance_of_a_new_device(
    client, verified_login, superuser, user, tolerance, accepted
):
    verified_login(superuser, HOTPDevice.objects.create(user=superuser, name="root's"))
    response = client.post(
        "/admin/otp_core_hotp/hotpdevice/add/",
        {
            "user": user.pk,
            "name": "wide",
            "confirmed": "on",
            "digits": "6",
            "algorithm": "sha1",
            "tolerance": tolerance,
        },
    )
    assert HOTPDevice.objects.filter(user=user).exists() is accepted
    if not accepted:
        assert response.status_code == 200
        assert "tolerance" in response.context["adminform"].form.errors

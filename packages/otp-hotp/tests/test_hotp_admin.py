"""The HOTP admin: key hidden, owner-only QR page, and the issue's "done when" flow."""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

import pyotp
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from otp_hotp.models import HOTPDevice

pytestmark = pytest.mark.django_db


def _qr_url(device: HOTPDevice) -> str:
    return reverse("admin:otp_core_hotp_hotpdevice_qrcode", kwargs={"object_id": device.pk})


def _config_url(response) -> str:
    match = re.search(r'<code id="otp-config-url">([^<]+)</code>', response.content.decode())
    assert match, "the QR page shows the otpauth URI"
    return html.unescape(match.group(1))


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def staff(django_user_model):
    staff = django_user_model.objects.create_user("staff", "staff@example.com", "pw", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="otp_core_hotp"))
    return staff


def test_qr_page_owner_superuser_and_others(client, superuser, staff, django_user_model, make_hotp):
    owned = make_hotp(staff, name="mine")
    foreign = make_hotp(superuser, name="root's")
    client.force_login(staff)
    response = client.get(_qr_url(owned))
    assert response.status_code == 200
    assert pyotp.parse_uri(_config_url(response)).byte_secret() == owned.bin_key
    assert response["Cache-Control"].count("no-store") == 1
    image = client.get(_qr_url(owned) + "image/")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"
    assert ElementTree.fromstring(image.content).tag.endswith("svg")
    # Another staff user with every permission on the model: still refused.
    assert client.get(_qr_url(foreign)).status_code in (403, 404)
    assert client.get(_qr_url(foreign) + "image/").status_code in (403, 404)
    client.force_login(superuser)
    assert client.get(_qr_url(owned)).status_code == 200
    assert client.get(_qr_url(foreign)).status_code == 200
    assert (
        client.get(reverse("admin:otp_core_hotp_hotpdevice_qrcode", args=["999999"])).status_code
        == 404
    )


def test_qr_page_hidden_with_sensitive_data_setting(client, superuser, staff, make_hotp, settings):
    settings.OTP_ADMIN_HIDE_SENSITIVE_DATA = True
    foreign = make_hotp(superuser)
    client.force_login(staff)
    assert client.get(_qr_url(foreign)).status_code == 404


def test_change_form_hides_key_and_links_qr(client, superuser, make_hotp):
    device = make_hotp(superuser)
    client.force_login(superuser)
    url = reverse("admin:otp_core_hotp_hotpdevice_change", args=[device.pk])
    body = client.get(url).content.decode()
    assert device.key not in body
    assert 'name="key"' not in body
    assert _qr_url(device) in body
    listing = client.get(reverse("admin:otp_core_hotp_hotpdevice_changelist")).content.decode()
    assert _qr_url(device) in listing
    assert device.key not in listing


def test_done_when_admin_adds_device_user_scans_and_passes_otp_required(client, superuser, user):
    # The superuser adds a HOTP device for alice in the admin.
    client.force_login(superuser)
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

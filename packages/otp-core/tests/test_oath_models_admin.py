"""The OATH device admin (otp_core.admin_oath): key hidden, owner-only QR page.

Tested once here with the example plugin's OATH device; otp-totp and otp-hotp
register their models with the same admin class.
"""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

import pyotp
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from otp_example.models import ExampleOATHDevice

pytestmark = pytest.mark.django_db

ADMIN = "admin:otp_example_exampleoathdevice"


def _qr_url(device: ExampleOATHDevice) -> str:
    return reverse(f"{ADMIN}_qrcode", kwargs={"object_id": device.pk})


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
    staff.user_permissions.add(*Permission.objects.filter(content_type__model="exampleoathdevice"))
    return staff


def make(user, **kwargs) -> ExampleOATHDevice:
    return ExampleOATHDevice.objects.create(user=user, name=kwargs.pop("name", "app"), **kwargs)


def test_qr_page_owner_superuser_and_others(client, superuser, staff):
    owned = make(staff, name="mine")
    foreign = make(superuser, name="root's")
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
    assert client.get(reverse(f"{ADMIN}_qrcode", args=["999999"])).status_code == 404


def test_qr_page_hidden_with_sensitive_data_setting(client, superuser, staff, settings):
    settings.OTP_ADMIN_HIDE_SENSITIVE_DATA = True
    foreign = make(superuser)
    client.force_login(staff)
    assert client.get(_qr_url(foreign)).status_code == 404


def test_change_form_hides_key_and_links_qr(client, superuser):
    device = make(superuser)
    client.force_login(superuser)
    body = client.get(reverse(f"{ADMIN}_change", args=[device.pk])).content.decode()
    assert device.key not in body
    assert 'name="key"' not in body
    assert _qr_url(device) in body
    listing = client.get(reverse(f"{ADMIN}_changelist")).content.decode()
    assert _qr_url(device) in listing
    assert device.key not in listing


def test_codes_of_the_shared_mixin_verify(superuser):
    device = make(superuser, digits=8, algorithm="sha256")
    app = pyotp.parse_uri(device.config_url)
    assert device.verify_token(app.at(0))
    assert not device.verify_token(app.at(0))

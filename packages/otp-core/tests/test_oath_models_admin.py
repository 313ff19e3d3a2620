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


def test_qr_page_owner_during_set_up_and_verified_superuser(
    client, verified_login, superuser, staff
):
    setting_up = make(staff, name="new", confirmed=False)
    confirmed = make(staff, name="mine")
    foreign = make(superuser, name="root's")
    verified_login(staff, confirmed)
    response = client.get(_qr_url(setting_up))
    assert response.status_code == 200
    assert pyotp.parse_uri(_config_url(response)).byte_secret() == setting_up.bin_key
    assert response["Cache-Control"].count("no-store") == 1
    image = client.get(_qr_url(setting_up) + "image/")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"
    assert ElementTree.fromstring(image.content).tag.endswith("svg")
    # Once confirmed, not even its owner sees the key again here.
    assert client.get(_qr_url(confirmed)).status_code == 403
    assert client.get(_qr_url(confirmed) + "image/").status_code == 403
    # Another staff user with every permission on the model: refused.
    assert client.get(_qr_url(foreign)).status_code in (403, 404)
    assert client.get(_qr_url(foreign) + "image/").status_code in (403, 404)
    verified_login(superuser, foreign)
    assert client.get(_qr_url(confirmed)).status_code == 200
    assert client.get(_qr_url(foreign)).status_code == 200
    assert client.get(reverse(f"{ADMIN}_qrcode", args=["999999"])).status_code == 404


def _plain_site_request(user, device=None):
    """A request to a device admin on a plain AdminSite, verified by ``device`` or not."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    import otp_core
    from otp_core.middleware import attach

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = user
    attach(request, user)
    if device is not None:
        otp_core.login(request, device)
    return request


def test_qr_page_refuses_a_superuser_with_a_password_alone(superuser, staff):
    # On a plain AdminSite (password alone), a superuser must not read keys.
    from django.contrib.admin import AdminSite
    from django.core.exceptions import PermissionDenied

    from otp_core.admin_oath import OATHDeviceAdmin

    model_admin = OATHDeviceAdmin(ExampleOATHDevice, AdminSite(name="admin"))
    device = make(staff, name="staff's")
    with pytest.raises(PermissionDenied):
        model_admin.qrcode_view(_plain_site_request(superuser), str(device.pk))
    with pytest.raises(PermissionDenied):
        model_admin.qrcode_image_view(_plain_site_request(superuser), str(device.pk))
    assert not model_admin.may_see_key(_plain_site_request(superuser), device)
    own = make(superuser, name="root's")
    response = model_admin.qrcode_view(_plain_site_request(superuser, own), str(device.pk))
    assert response.status_code == 200


def test_qr_page_hidden_with_sensitive_data_setting(
    client, verified_login, superuser, staff, settings
):
    settings.OTP_ADMIN_HIDE_SENSITIVE_DATA = True
    foreign = make(superuser, confirmed=False)
    verified_login(staff, make(staff))
    assert client.get(_qr_url(foreign)).status_code == 404


def test_change_form_hides_key_and_links_qr_for_a_verified_superuser(
    client, verified_login, superuser, staff
):
    device = make(superuser)
    verified_login(superuser, device)
    body = client.get(reverse(f"{ADMIN}_change", args=[device.pk])).content.decode()
    assert device.key not in body
    assert 'name="key"' not in body
    assert _qr_url(device) in body
    listing = client.get(reverse(f"{ADMIN}_changelist")).content.decode()
    assert _qr_url(device) in listing
    assert device.key not in listing
    # A confirmed device's change page offers its owner (staff) no QR link.
    own = make(staff, name="staff's")
    verified_login(staff, own)
    assert (
        _qr_url(own) not in client.get(reverse(f"{ADMIN}_change", args=[own.pk])).content.decode()
    )


def test_codes_of_the_shared_mixin_verify(superuser):
    device = make(superuser, digits=8, algorithm="sha256")
    app = pyotp.parse_uri(device.config_url)
    assert device.verify_token(app.at(0))
    assert not device.verify_token(app.at(0))

"""The e-mail device admin: the address a device sends codes to is fixed once it exists."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from otp_email.models import EmailDevice

pytestmark = pytest.mark.django_db


@pytest.fixture
def helpdesk(django_user_model):
    """Staff with every permission on e-mail devices, but no superuser."""
    staff = django_user_model.objects.create_user("desk", "desk@example.com", "pw", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__model="emaildevice"))
    return staff


def test_staff_cannot_point_a_device_at_themselves(client, verified_login, helpdesk, user):
    # Issue 8: staff pointed a superuser's e-mail device at their own mailbox.
    device = EmailDevice.objects.create(user=user, name="mail", email="alice@example.com")
    verified_login(helpdesk, EmailDevice.objects.create(user=helpdesk, name="desk's"))
    url = f"/admin/otp_core_email/emaildevice/{device.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()
    response = client.post(
        url,
        {"name": "renamed", "confirmed": "on", "email": "desk@example.com", "user": helpdesk.pk},
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.name == "renamed"
    assert (device.email, device.user_id) == ("alice@example.com", user.pk)


def test_the_address_is_set_when_the_device_is_added(client, verified_login, helpdesk):
    verified_login(helpdesk, EmailDevice.objects.create(user=helpdesk, name="desk's"))
    page = client.get("/admin/otp_core_email/emaildevice/add/")
    assert 'name="email"' in page.content.decode()
    response = client.post(
        "/admin/otp_core_email/emaildevice/add/",
        {"name": "second", "confirmed": "on", "email": "desk2@example.com", "user": helpdesk.pk},
    )
    assert response.status_code == 302
    assert EmailDevice.objects.get(name="second").email == "desk2@example.com"

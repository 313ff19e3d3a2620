"""The phone device admin: number and method are fixed once the device exists."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from otp_phone.models import PhoneDevice

pytestmark = pytest.mark.django_db


@pytest.fixture
def helpdesk(django_user_model):
    """Staff with every permission on phone devices, but no superuser."""
    staff = django_user_model.objects.create_user("desk", "desk@example.com", "pw", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__model="phonedevice"))
    return staff


def test_staff_cannot_point_a_device_at_their_own_phone(client, verified_login, helpdesk, user):
    # Issue 8: staff pointed a superuser's phone device at their own number.
    device = PhoneDevice.objects.create(user=user, name="phone", number="+31612345678")
    own = PhoneDevice.objects.create(user=helpdesk, name="desk's", number="+31687654321")
    verified_login(helpdesk, own)
    url = f"/admin/otp_core_phone/phonedevice/{device.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="number"' not in page.content.decode()
    assert 'name="method"' not in page.content.decode()
    response = client.post(
        url,
        {
            "name": "renamed",
            "confirmed": "on",
            "number": "+31687654321",
            "method": "call",
            "user": helpdesk.pk,
        },
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.name == "renamed"
    assert (device.number, device.method, device.user_id) == ("+31612345678", "sms", user.pk)

"""The profile page with otp-phone: backup phone links and removal buttons (full sessions)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from otp_core.session import record_verification
from otp_phone.models import PhoneDevice
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PROFILE = "/account/two_factor/"


def verified_with(client, user, device):
    """Log ``client`` in as ``user``, verified with ``device``."""
    client.force_login(user)
    session = client.session
    record_verification(session, device)
    session.save()
    return client


@pytest.fixture
def totp(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator app")


def remove_forms(html):
    # The account page offers its own Remove for every device, not the plugin's form.
    return re.findall(r'<form method="post" action="(/account/phone/\d+/remove/)"', html)


def remove_links(html):
    found = re.findall(r'href="/account/two_factor/method/remove/\?device=([^"]+)"', html)
    return [unquote(device) for device in found]


def test_add_link_without_any_phone(client, user, totp):
    html = verified_with(client, user, totp).get(PROFILE).content.decode()
    link = '<a href="/account/phone/add/?next=%2Faccount%2Ftwo_factor%2F">'
    assert f"{link}Add a backup phone number</a>" in html
    assert "<h3>Phone</h3>" in html
    assert remove_forms(html) == []


def test_remove_button_per_phone(client, user, totp):
    first = PhoneDevice.objects.create(user=user, name="backup", number="+31612345600")
    second = PhoneDevice.objects.create(user=user, name="office", number="+31612345601")
    PhoneDevice.objects.create(user=user, name="pending", number="+31612345602", confirmed=False)
    html = verified_with(client, user, totp).get(PROFILE).content.decode()
    assert remove_forms(html) == []
    # Not the app this session used: it cannot be removed from this session.
    assert remove_links(html) == [
        first.persistent_id,
        second.persistent_id,
    ]
    # Each phone is named by what it does and where, masked; a user's name shows too.
    assert 'aria-label="Remove Text message to +31 * ******00"' in html
    assert 'aria-label="Remove Text message to +31 * ******01 (office)"' in html
    assert "+31612345600" not in html
    assert "(backup)" not in html
    assert "Add a backup phone number" in html


def test_removal_from_the_profile_page(client, user, totp):
    phone = PhoneDevice.objects.create(user=user, name="backup", number="+31612345600")
    client = verified_with(client, user, totp)
    response = client.post(
        reverse("otp_phone:delete", kwargs={"pk": phone.pk}), {"next": PROFILE}, follow=True
    )
    assert response.redirect_chain == [(PROFILE, 302)]
    assert not PhoneDevice.objects.filter(pk=phone.pk).exists()
    html = response.content.decode()
    assert "The phone number was removed." in html
    assert remove_forms(html) == []


def test_removal_of_the_phone_the_session_used_is_refused_on_the_profile(client, user, totp):
    phone = PhoneDevice.objects.create(user=user, name="backup", number="+31612345600")
    client = verified_with(client, user, phone)
    response = client.post(
        reverse("otp_phone:delete", kwargs={"pk": phone.pk}), {"next": PROFILE}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain == [(PROFILE, 302)]
    assert PhoneDevice.objects.filter(pk=phone.pk).exists()
    html = response.content.decode()
    assert re.search(r'role="alert">.*You cannot remove the phone you signed in with\.<', html)
    # The account page offers no Remove for the method this session used.
    assert phone.persistent_id not in remove_links(html)

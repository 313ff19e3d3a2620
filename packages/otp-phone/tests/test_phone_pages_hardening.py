"""The backup-phone pages: framing and caching refused, bad ids and damaged sessions handled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from otp_core.session import record_verification
from otp_core.testing import hostile_ids
from otp_phone import urls as phone_urls
from otp_phone.models import PhoneDevice

pytestmark = pytest.mark.django_db

CLICKJACKING = "django.middleware.clickjacking.XFrameOptionsMiddleware"
#: TwiML for Twilio's servers, not a page: no browser frames or caches it (it is no-store).
NOT_PAGES = {"twilio_call"}
SESSION_KEY = "otp_phone_setup"


@pytest.fixture
def verified_client(client, user, sms_device):
    client.force_login(user)
    session = client.session
    record_verification(session, sms_device)
    session.save()
    return client


@pytest.fixture
def backup_phone(user):
    return PhoneDevice.objects.create(user=user, name="backup", number="+31612345679")


def request_page(client, name, device):
    if name == "delete":
        return client.post(reverse("otp_phone:delete", kwargs={"pk": device.pk}))
    return client.get(reverse(f"otp_phone:{name}"))


def page_names():
    return [p.name for p in phone_urls.urlpatterns if p.name not in NOT_PAGES]


def test_every_url_name_is_covered():
    assert set(page_names()) | NOT_PAGES == {p.name for p in phone_urls.urlpatterns}
    assert set(page_names()) == {"setup", "delete"}


@pytest.mark.parametrize("name", page_names())
def test_pages_refuse_framing_and_caching(verified_client, settings, backup_phone, name):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != CLICKJACKING]
    response = request_page(verified_client, name, backup_phone)
    assert response.status_code in (200, 302)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    for part in ("no-cache", "no-store", "private"):
        assert part in response["Cache-Control"]


@pytest.mark.parametrize("bad", [v.value for v in hostile_ids()], ids=lambda v: v[:20])
def test_bad_ids_in_the_remove_url_are_404(verified_client, backup_phone, bad):
    url = reverse("otp_phone:delete", kwargs={"pk": backup_phone.pk}).replace(
        f"/{backup_phone.pk}/", f"/{bad}/"
    )
    assert verified_client.post(url).status_code == 404
    assert PhoneDevice.objects.filter(pk=backup_phone.pk).exists()


@pytest.mark.parametrize(
    "garbage",
    [
        [],
        "text",
        7,
        {"otp_phone_device": 2**70},
        {"otp_phone_device": "otp_phone.phonedevice/\u0661"},
        {"otp_phone_device": ["x"]},
        {"otp_phone_device": {"a": 1}},
        {"name": ["backup"], "number": 5},
        {"otp_phone_device": 1, "number": None, "method": {"x": 1}},
    ],
    ids=repr,
)
def test_damaged_setup_state_restarts(verified_client, garbage):
    session = verified_client.session
    session[SESSION_KEY] = garbage
    session.save()
    page = verified_client.get(reverse("otp_phone:setup"))
    assert page.status_code == 200
    posted = verified_client.post(reverse("otp_phone:setup"), {"otp_token": "123456"})
    assert posted.status_code in (200, 302)

"""Setup steps and the backup phone views (add, remove)."""

from __future__ import annotations

import pytest

from otp_core import plugins
from otp_phone.forms import PhoneConfirmStep, PhoneNumberStep
from otp_phone.models import PhoneDevice

pytestmark = pytest.mark.django_db


def test_plugin_is_registered():
    plugin = plugins.get("phone")
    assert plugin.get_device_models() == [PhoneDevice]
    assert plugin.get_setup_forms() == [PhoneNumberStep, PhoneConfirmStep]
    assert [name for _label, name in plugin.options["profile_links"]] == ["otp_phone:setup"]
    assert [name for _label, name in plugin.options["device_actions"]] == ["otp_phone:delete"]


def test_only_configured_methods_are_offered(user, settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "fake"
    settings.TWO_FACTOR_CALL_GATEWAY = None
    form = PhoneNumberStep(user=user, state={})
    assert [key for key, _ in form.fields["method"].choices] == ["sms"]
    bad = PhoneNumberStep({"number": "+31612345678", "method": "call"}, user=user, state={})
    assert not bad.is_valid()
    assert "method" in bad.errors


def test_steps_confirm_only_after_the_code(user, fake_gateway, fake_codes, settings):
    settings.PHONENUMBER_DEFAULT_REGION = "NL"
    state: dict = {"name": "backup"}
    first = PhoneNumberStep({"number": "06 12345678", "method": "call"}, user=user, state=state)
    assert first.is_valid(), first.errors
    device = PhoneDevice.objects.get(user=user)
    assert (device.number, device.method, device.name, device.confirmed) == (
        "+31612345678",
        "call",
        "backup",
        False,
    )
    code = fake_codes()[0][2]
    second = PhoneConfirmStep({"otp_token": code}, user=user, state=state)
    assert second.get_context() == {"masked_number": "+31 * ******78"}
    assert second.is_valid(), second.errors
    assert second.save().confirmed


def test_invalid_number_is_a_field_error(user, fake_gateway):
    form = PhoneNumberStep({"number": "12", "method": "sms"}, user=user, state={})
    assert not form.is_valid()
    assert form.errors["number"] == ["Enter a valid phone number."]


def test_delivery_failure_leaves_no_device(user, settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "otp_phone.gateways.Gateway"  # can do nothing
    form = PhoneNumberStep({"number": "+31612345678", "method": "sms"}, user=user, state={})
    assert not form.is_valid()
    assert "could not be sent" in form.errors["__all__"][0]
    assert not PhoneDevice.objects.exists()


@pytest.fixture
def verified_client(client, user, sms_device):
    """A client logged in and verified with the user's phone."""
    client.force_login(user)
    session = client.session
    from otp_core.session import record_verification

    record_verification(session, sms_device)
    session.save()
    return client


def test_setup_view_needs_a_verified_session(client, user):
    assert client.get("/account/phone/add/").status_code == 302
    client.force_login(user)
    # Logged in without a second factor: otp-core's OTPRequiredMixin refuses.
    assert client.get("/account/phone/add/").status_code == 403
    assert client.post("/account/phone/add/", {"number": "+31612345678"}).status_code == 403
    assert not PhoneDevice.objects.exists()


def test_setup_view_adds_a_backup_phone(verified_client, user, fake_gateway, fake_codes):
    response = verified_client.get("/account/phone/add/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'autocomplete="tel"' in page
    assert "<label" in page
    response = verified_client.post(
        "/account/phone/add/", {"number": "+31612345600", "method": "sms"}
    )
    assert response.status_code == 200
    assert "We sent a text message to +31 * ******00." in response.content.decode()
    assert 'autocomplete="one-time-code"' in response.content.decode()
    code = fake_codes()[0][2]
    response = verified_client.post("/account/phone/add/", {"otp_token": code, "next": "/"})
    assert response.status_code == 302
    backup = PhoneDevice.objects.get(user=user, number="+31612345600")
    assert backup.confirmed
    assert backup.name == "backup"


def test_setup_restarts_only_on_post(verified_client, fake_gateway, fake_codes):
    verified_client.post("/account/phone/add/", {"number": "+31612345600", "method": "sms"})
    # A GET (a link, an image on another site) leaves the pending set-up alone.
    page = verified_client.get("/account/phone/add/?restart=1").content.decode()
    assert 'autocomplete="one-time-code"' in page
    assert verified_client.post("/account/phone/add/", {"restart": "1"}).status_code == 302
    page = verified_client.get("/account/phone/add/").content.decode()
    assert 'autocomplete="tel"' in page


def test_delete_view_is_post_only_and_own_devices_only(
    verified_client, user, other_user, sms_device
):
    backup = PhoneDevice.objects.create(user=user, name="backup", number="+31612345600")
    theirs = PhoneDevice.objects.create(user=other_user, name="backup", number="+31612345601")
    assert verified_client.get(f"/account/phone/{backup.pk}/remove/").status_code == 405
    assert verified_client.post(f"/account/phone/{theirs.pk}/remove/").status_code == 404
    assert PhoneDevice.objects.filter(pk=theirs.pk).exists()
    # The phone this session was verified with stays; the refusal is a message.
    response = verified_client.post(
        f"/account/phone/{sms_device.pk}/remove/", {"next": "/"}, follow=True
    )
    assert response.redirect_chain == [("/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "You cannot remove the phone you signed in with."
    ]
    assert PhoneDevice.objects.filter(pk=sms_device.pk).exists()
    response = verified_client.post(f"/account/phone/{backup.pk}/remove/", {"next": "/"})
    assert response.status_code == 302
    assert not PhoneDevice.objects.filter(pk=backup.pk).exists()


def test_delete_view_refuses_with_403_without_messages(verified_client, sms_device, settings):
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m != "django.contrib.messages.middleware.MessageMiddleware"
    ]
    response = verified_client.post(f"/account/phone/{sms_device.pk}/remove/")
    assert response.status_code == 403
    assert PhoneDevice.objects.filter(pk=sms_device.pk).exists()


def test_delete_view_checks_csrf(user, sms_device):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    session = client.session
    from otp_core.session import record_verification

    record_verification(session, sms_device)
    session.save()
    backup = PhoneDevice.objects.create(user=user, name="backup", number="+31612345600")
    assert client.post(f"/account/phone/{backup.pk}/remove/").status_code == 403
    assert PhoneDevice.objects.filter(pk=backup.pk).exists()

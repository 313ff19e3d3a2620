"""The OTP admin site and the device admin base."""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import get_messages
from otp_example.models import ExampleDevice

from otp_core.session import record_verification

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/otp_example/exampledevice/"


@pytest.fixture
def staff(user):
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


def verify_session(client, device):
    session = client.session
    record_verification(session, device, at=time.time())
    session.save()


def verify_session_of(client, user, device):
    client.force_login(user)
    verify_session(client, device)


def test_otp_admin_refuses_unverified_staff(client, staff, device):
    client.force_login(staff)
    response = client.get("/otpadmin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/otpadmin/login/")
    # The demo's admin.site requires a second factor too (otp_core.W003).
    assert client.get("/admin/").status_code == 302


def test_otp_admin_admits_verified_staff(client, staff, device):
    client.force_login(staff)
    verify_session(client, device)
    response = client.get("/otpadmin/")
    assert response.status_code == 200
    assert b"Example devices" in response.content  # the device admin is registered there


def test_otp_admin_refuses_verified_non_staff(client, user, device):
    client.force_login(user)
    verify_session(client, device)
    assert client.get("/otpadmin/").status_code == 302


def test_otp_admin_login_form_shows_otp_fields(client):
    response = client.get("/otpadmin/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="otp_token"' in content
    assert 'name="otp_device"' in content


def test_login_through_the_otp_admin_form(client, staff, device, otp_code):
    response = client.post(
        "/otpadmin/login/?next=/otpadmin/",
        {
            "username": "alice",
            "password": "correct horse",
            "otp_device": device.persistent_id,
            "otp_token": otp_code(device),
            "next": "/otpadmin/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/otpadmin/"
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get("/otpadmin/").status_code == 200


def test_otp_admin_login_with_a_wrong_token(client, staff, device):
    response = client.post(
        "/otpadmin/login/",
        {
            "username": "alice",
            "password": "correct horse",
            "otp_device": device.persistent_id,
            "otp_token": "12345x",
        },
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"Invalid code" in response.content
    assert client.get("/otpadmin/").status_code == 302


def test_reset_throttling_action(client, staff, user, device, device_factory):
    locked = device_factory(user, throttling_failure_count=100)
    ExampleDevice.objects.filter(pk=device.pk).update(throttling_failure_count=3)
    client.force_login(staff)
    verify_session(client, device)
    for prefix in ("/admin", "/otpadmin"):
        response = client.post(
            f"{prefix}/otp_example/exampledevice/",
            {"action": "reset_throttling", "_selected_action": [locked.pk, device.pk]},
        )
        assert response.status_code == 302
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        assert "2 devices were unlocked." in messages
        for d in (locked, device):
            d.refresh_from_db()
            assert d.throttling_failure_count == 0
            assert d.throttling_failure_timestamp is None
        ExampleDevice.objects.update(throttling_failure_count=5)


def test_device_admin_pages_never_show_the_key(client, staff, device):
    verify_session_of(client, staff, device)
    changelist = client.get(CHANGELIST)
    assert changelist.status_code == 200
    assert device.name.encode() in changelist.content
    change = client.get(f"{CHANGELIST}{device.pk}/change/")
    assert change.status_code == 200
    assert device.key.encode() not in changelist.content + change.content
    assert b'name="key"' not in change.content


def test_changelist_search_by_user_name(client, staff, other_user, device, device_factory):
    foreign = device_factory(other_user, name="bobs phone")
    verify_session_of(client, staff, device)
    response = client.get(CHANGELIST, {"q": "bob"})
    assert foreign.name.encode() in response.content
    assert device.name.encode() not in response.content


def test_hide_sensitive_data_limits_staff_to_own_devices(
    settings, client, user, other_user, device, device_factory
):
    from django.contrib.auth.models import Permission

    foreign = device_factory(other_user, name="bobs phone")
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_exampledevice"))
    verify_session_of(client, user, device)
    response = client.get(CHANGELIST)
    assert foreign.name.encode() in response.content
    settings.OTP_ADMIN_HIDE_SENSITIVE_DATA = True
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert foreign.name.encode() not in response.content
    assert device.name.encode() in response.content


def test_device_owner_cannot_be_changed_in_the_admin(client, staff, other_user, device):
    # A staff member could otherwise add a device for themself, load its key,
    # then move it into someone else's account: a second factor of theirs.
    client.force_login(staff)
    verify_session(client, device)
    url = f"{CHANGELIST}{device.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="user"' not in page.content
    response = client.post(
        url, {"user": other_user.pk, "name": "moved", "confirmed": "on", "counter": 0}
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.name == "moved"
    assert device.user_id == staff.pk
    # Adding a device still names its owner.
    assert b'name="user"' in client.get(f"{CHANGELIST}add/").content


def test_staff_add_devices_only_for_themselves(client, user, other_user, device):
    from django.contrib.auth.models import Permission

    staff = user  # staff, but no superuser: the rights an admin grants a helpdesk
    staff.is_staff = True
    staff.save()
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="otp_example", codename__endswith="exampledevice"
        )
    )
    client.force_login(staff)
    verify_session(client, device)
    data = {"name": "planted", "confirmed": "on", "counter": 0}
    refused = client.post(f"{CHANGELIST}add/", {**data, "user": other_user.pk})
    assert refused.status_code == 200
    assert "user" in refused.context["adminform"].form.errors
    assert not type(device).objects.filter(user=other_user).exists()
    accepted = client.post(f"{CHANGELIST}add/", {**data, "user": staff.pk})
    assert accepted.status_code == 302
    assert type(device).objects.filter(user=staff, name="planted").exists()


def test_superuser_adds_devices_for_anyone(client, other_user, device, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    verify_session_of(client, root, type(device).objects.create(user=root, name="k", key="00"))
    data = {"name": "issued", "confirmed": "on", "counter": 0, "user": other_user.pk}
    assert client.post(f"{CHANGELIST}add/", data).status_code == 302
    assert type(device).objects.filter(user=other_user, name="issued").exists()


CHALLENGE_CHANGELIST = "/admin/otp_example/examplechallengedevice/"


def _staff_with_device_rights(user):
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="otp_example", codename__endswith="examplechallengedevice"
        )
    )
    return user


@pytest.mark.parametrize("role", ["staff", "superuser"])
def test_the_admin_confirms_a_pending_device_only_with_its_code(
    client, user, other_user, device, django_user_model, role
):
    """A pending device's destination was chosen by whoever started the set-up."""
    from otp_example.models import ExampleChallengeDevice, outbox

    from otp_core import signals
    from otp_core.challenges import issue_challenge

    if role == "staff":
        admin_user = _staff_with_device_rights(user)
        verify_session_of(client, admin_user, device)
        owner = admin_user  # staff see and change their own devices
    else:
        admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
        verify_session_of(
            client, admin_user, ExampleDevice.objects.create(user=admin_user, name="k")
        )
        owner = other_user
    pending = ExampleChallengeDevice.objects.create(user=owner, name="pending", confirmed=False)
    url = f"{CHALLENGE_CHANGELIST}{pending.pk}/change/"
    assert b'name="confirmation_code"' in client.get(url).content
    # Ticking the box alone: a form error, the device stays pending.
    response = client.post(url, {"name": "pending", "confirmed": "on"})
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors.as_data()["confirmed"]
    assert error.code == "confirm_in_admin"
    pending.refresh_from_db()
    assert pending.confirmed is False
    # A wrong code: refused (and counted by the device's throttle).
    outbox.clear()
    issue_challenge(pending)
    [code] = outbox
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(url, {"name": "pending", "confirmed": "on", "confirmation_code": wrong})
    assert response.status_code == 200
    assert "confirmation_code" in response.context["adminform"].form.errors
    pending.refresh_from_db()
    assert pending.confirmed is False
    assert pending.throttling_failure_count == 1
    # Clearing "confirmed" (suspending a device) needs nothing.
    working = ExampleChallengeDevice.objects.create(user=owner, name="working")
    working_url = f"{CHALLENGE_CHANGELIST}{working.pk}/change/"
    assert b'name="confirmation_code"' not in client.get(working_url).content
    assert client.post(working_url, {"name": "working"}).status_code == 302
    working.refresh_from_db()
    assert working.confirmed is False
    # The code the device was sent confirms it, and the owner is told.
    pending.throttle_reset()
    added = []

    def receiver(sender, device, request=None, **kwargs):
        added.append((device.pk, request is not None))

    signals.device_added.connect(receiver, weak=False)
    try:
        data = {"name": "pending", "confirmed": "on", "confirmation_code": code}
        response = client.post(url, data)
    finally:
        signals.device_added.disconnect(receiver)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed is True
    assert added == [(pending.pk, True)]


def test_the_oath_admin_offers_the_code_field_on_a_pending_device(client, user, device):
    """OATH admins declare their own fieldsets: the code field is added to them."""
    from otp_example.models import ExampleOATHDevice

    staff = user
    staff.is_staff = True
    staff.is_superuser = True
    staff.save()
    verify_session_of(client, staff, device)
    pending = ExampleOATHDevice.objects.create(user=staff, name="app", confirmed=False)
    page = client.get(f"/admin/otp_example/exampleoathdevice/{pending.pk}/change/")
    assert page.status_code == 200
    assert b'name="confirmation_code"' in page.content
    assert b'autocomplete="one-time-code"' in page.content


def test_the_admin_login_form_is_still_importable_from_otp_core_admin():
    import otp_core.admin as otp_admin
    from otp_core.admin_forms import OTPAdminAuthenticationForm

    assert otp_admin.OTPAdminAuthenticationForm is OTPAdminAuthenticationForm
    assert otp_admin.OTPAdminSite().login_form is OTPAdminAuthenticationForm
    with pytest.raises(AttributeError):
        otp_admin.NoSuchThing

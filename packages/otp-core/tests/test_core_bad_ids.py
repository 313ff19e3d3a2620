"""Ids no row can have (2**63, 10**30, "-1", "1e3", non-ASCII digits) find nothing.

Django 4.2 on SQLite raises ``OverflowError`` for an integer beyond 64 bits and
``int()`` reads "٣" as 3: every entry point must answer "not found" (a form
error, a 404 or the admin's "does not exist"), never a 500 nor another row.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from otp_example.models import ExampleDevice, ExampleOATHDevice

from otp_core.ids import IdConverter, parse_int_id, parse_pk
from otp_core.models import Device
from otp_core.testing import hostile_ids

pytestmark = pytest.mark.django_db

BAD = ["-1", "1e3", " 1", "1_0", "+1", "\u0661", "\uff11", str(2**63), str(10**30), "9" * 400]
ADMIN = "admin:otp_example_exampleoathdevice"


def test_parse_int_id_accepts_ascii_digits_in_range_only():
    assert parse_int_id("42") == 42
    assert parse_int_id(str(2**63 - 1)) == 2**63 - 1
    for value in [*BAD[1:], None, True, 1.0, [1], {"a": 1}]:
        assert parse_int_id(value) is None, value
    assert parse_int_id("-1") == -1
    assert parse_int_id("-1", 0) is None


def test_parse_pk_uses_the_field_range():
    assert parse_pk(ExampleDevice, "7") == 7
    for value in BAD[1:]:
        assert parse_pk(ExampleDevice, value) is None, value


@pytest.mark.parametrize("bad", BAD)
def test_persistent_ids_out_of_range_find_nothing(user, bad):
    device = ExampleDevice.objects.create(user=user, name="app", key="00" * 20)
    label = device.model_label()
    assert Device.from_persistent_id(f"{label}/{device.pk}") == device
    assert Device.from_persistent_id(f"{label}/{bad}") is None
    assert Device.from_persistent_id(f"{label}/{bad}", for_verify=True) is None


def test_non_ascii_digits_do_not_name_a_device(user):
    device = ExampleDevice.objects.create(user=user, name="app", key="00" * 20)
    # int("\u0661") == 1: without the check this would find device 1.
    digits = "".join(chr(0x0660 + int(d)) for d in str(device.pk))
    assert Device.from_persistent_id(f"{device.model_label()}/{digits}") is None


@pytest.mark.parametrize("bad", [v.value for v in hostile_ids()])
def test_login_form_device_choice_is_a_form_error(client, user, bad):
    device = ExampleDevice.objects.create(user=user, name="app", key="00" * 20)
    response = client.post(
        "/login/",
        {
            "username": "alice",
            "password": "correct horse",
            "otp_device": f"{device.model_label()}/{bad}",
            "otp_token": "123456",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_url_converter_refuses_out_of_range_ids():
    converter = IdConverter()
    assert converter.to_python("12") == 12
    with pytest.raises(ValueError, match="out of range"):
        converter.to_python(str(2**63))


@pytest.mark.parametrize("bad", BAD)
def test_admin_pages_of_a_device_answer_not_found(client, verified_login, django_user_model, bad):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    # The demo's admin requires a verified session (otp_core.W003).
    verified_login(root, ExampleOATHDevice.objects.create(user=root, name="app"))
    qr = client.get(reverse(f"{ADMIN}_qrcode", kwargs={"object_id": bad}))
    assert qr.status_code == 404
    change = client.get(reverse(f"{ADMIN}_change", kwargs={"object_id": bad}))
    assert change.status_code == 302  # the admin's "does not exist" message and list

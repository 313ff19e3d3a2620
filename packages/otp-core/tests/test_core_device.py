"""The Device base: identity, look-ups across models, and django-otp's module API."""

from __future__ import annotations

import pytest
from otp_example.models import ExampleChallengeDevice, ExampleDevice, HardwareExampleDevice

import otp_core
from otp_core.models import AccountThrottle, Device, device_classes

pytestmark = pytest.mark.django_db


def test_persistent_id_names_model_and_pk(device):
    assert device.persistent_id == f"otp_example.exampledevice/{device.pk}"
    assert ExampleDevice.model_label() == "otp_example.exampledevice"


def test_from_persistent_id_finds_the_device_through_any_model(device, hw_device):
    found = Device.from_persistent_id(device.persistent_id)
    assert isinstance(found, ExampleDevice)
    assert found.pk == device.pk
    # The lookup goes by the label, not by the class it is called on.
    found_hw = ExampleDevice.from_persistent_id(hw_device.persistent_id)
    assert isinstance(found_hw, HardwareExampleDevice)
    assert found_hw.pk == hw_device.pk


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "garbage",
        "otp_example.exampledevice",
        "otp_example.exampledevice/",
        "otp_example.exampledevice/999999",
        "otp_example.exampledevice/abc",
        "otp_example.exampledevice/1/2",
        "otp_example.nosuchmodel/1",
        "nosuchapp.device/1",
        "auth.user/1",  # a real model, but not a device
        "sessions.session/1",
        "a.b.c/1",
        "/1",
    ],
)
def test_from_persistent_id_bad_ids_give_none(bad_id, user, device):
    assert Device.from_persistent_id(bad_id) is None


def test_from_persistent_id_other_model_label_gives_that_model_or_none(device):
    # The same pk under another device model's label is another device (or none).
    other_label = f"otp_example.hardwareexampledevice/{device.pk}"
    assert Device.from_persistent_id(other_label) is None


def test_device_classes_lists_concrete_device_models():
    classes = set(device_classes())
    assert {ExampleDevice, HardwareExampleDevice, ExampleChallengeDevice} <= classes
    assert all(not c._meta.abstract for c in classes)


def test_devices_for_user(user, other_user, device_factory):
    mine = device_factory(user)
    mine_hw = device_factory(user, HardwareExampleDevice)
    unconfirmed = device_factory(user, confirmed=False)
    device_factory(other_user)

    confirmed = otp_core.devices_for_user(user)
    assert {d.persistent_id for d in confirmed} == {mine.persistent_id, mine_hw.persistent_id}
    everything = otp_core.devices_for_user(user, confirmed=None)
    assert {d.persistent_id for d in everything} == {
        mine.persistent_id,
        mine_hw.persistent_id,
        unconfirmed.persistent_id,
    }
    only_unconfirmed = otp_core.devices_for_user(user, confirmed=False)
    assert [d.persistent_id for d in only_unconfirmed] == [unconfirmed.persistent_id]


def test_devices_keep_their_creation_order_after_a_save(user, other_user, device_factory):
    """The device asked first must not change because another one was saved last:
    PostgreSQL, asked without ORDER BY, can return a moved row after the others."""
    first, second, third = (device_factory(user) for _ in range(3))
    for device in (first, second):
        # Through another owner and back: the row gets a new place in the table.
        for owner in (other_user, user):
            device.user = owner
            device.save()
    listed = [d.pk for d in otp_core.devices_for_user(user) if isinstance(d, ExampleDevice)]
    assert listed == [first.pk, second.pk, third.pk]


def test_devices_for_anonymous_or_none_is_empty():
    from django.contrib.auth.models import AnonymousUser

    assert otp_core.devices_for_user(AnonymousUser()) == []
    assert otp_core.devices_for_user(None) == []
    assert otp_core.user_has_device(AnonymousUser()) is False
    assert otp_core.user_has_device(None) is False


def test_user_has_device(user, other_user, device_factory):
    assert otp_core.user_has_device(user) is False
    device_factory(user, confirmed=False)
    assert otp_core.user_has_device(user) is False
    assert otp_core.user_has_device(user, confirmed=None) is True
    assert otp_core.user_has_device(user, confirmed=False) is True
    device_factory(user, HardwareExampleDevice)
    assert otp_core.user_has_device(user) is True
    assert otp_core.user_has_device(other_user) is False


def test_match_token_finds_the_matching_device(user, device_factory, otp_code):
    first = device_factory(user)
    second = device_factory(user, HardwareExampleDevice)
    code = otp_code(second)
    matched = otp_core.match_token(user, code)
    assert matched is not None
    assert matched.persistent_id == second.persistent_id
    # Used once: refused afterwards.
    assert otp_core.match_token(user, code) is None
    first.refresh_from_db()
    # Unlike django-otp, a code no device accepts counts one failure, on the
    # account only (issue 8), not one on every device.
    assert first.throttling_failure_count == 0
    assert AccountThrottle.objects.get(user=user).failure_count == 1


def test_match_token_ignores_unconfirmed_and_other_users_devices(
    user, other_user, device_factory, otp_code
):
    unconfirmed = device_factory(user, confirmed=False)
    foreign = device_factory(other_user)
    assert otp_core.match_token(user, otp_code(unconfirmed)) is None
    assert otp_core.match_token(user, otp_code(foreign)) is None
    unconfirmed.refresh_from_db()
    assert unconfirmed.counter == 0


def test_verify_token_by_persistent_id(user, other_user, device_factory, otp_code):
    device = device_factory(user)
    code = otp_code(device)
    assert otp_core.verify_token(other_user, device.persistent_id, code) is None
    assert otp_core.verify_token(user, "otp_example.exampledevice/999999", code) is None
    assert otp_core.verify_token(user, "bogus", code) is None
    verified = otp_core.verify_token(user, device.persistent_id, code)
    assert verified is not None
    assert verified.pk == device.pk
    assert otp_core.verify_token(user, device.persistent_id, code) is None


def test_verify_token_refuses_unconfirmed_device(user, device_factory, otp_code):
    device = device_factory(user, confirmed=False)
    assert otp_core.verify_token(user, device.persistent_id, otp_code(device)) is None
    device.refresh_from_db()
    assert device.counter == 0


def test_str_and_repr_never_contain_the_key(device):
    key = device.key
    assert len(key) == 40
    text = str(device)
    representation = repr(device)
    assert key not in text
    assert key not in representation
    assert device.name in text
    assert "alice" in text
    assert device.persistent_id in representation
    # Nor the ciphertext, nor any part of the key worth having.
    assert key[:8] not in text + representation


def test_str_of_unsaved_device_without_user():
    device = ExampleDevice(name="loose", key="00" * 20)
    assert str(device) == "loose (?)"
    assert "00" * 20 not in repr(device)


def test_key_is_encrypted_at_rest(device):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            # "key" is a reserved word on MySQL/MariaDB: quote it.
            f"SELECT {connection.ops.quote_name('key')} "
            f"FROM {connection.ops.quote_name(ExampleDevice._meta.db_table)} WHERE id = %s",
            [device.pk],
        )
        (stored,) = cursor.fetchone()
    assert stored
    assert device.key not in stored
    device.refresh_from_db()
    assert len(device.key) == 40


def test_is_interactive():
    assert ExampleDevice().is_interactive() is False
    assert HardwareExampleDevice().is_interactive() is False
    assert ExampleChallengeDevice().is_interactive() is True


def test_match_is_required_of_plugins():
    # The base's hook refuses to guess: a plugin that forgets _match() fails loudly.
    with pytest.raises(NotImplementedError, match="ExampleDevice must implement _match"):
        Device._match(ExampleDevice(name="x", key="00" * 20), "123456")

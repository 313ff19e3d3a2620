"""``manage.py otp_rotate_keys``: re-encrypt every stored secret under the first key."""

from __future__ import annotations

import secrets
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from otp_example.models import ExampleDevice, HardwareExampleDevice

from otp_core import crypto

pytestmark = pytest.mark.django_db

OLD = "rotation-old-key-0123456789-abcdefghijklmnopqrstuvwxyz"
NEW = "rotation-new-key-9876543210-zyxwvutsrqponmlkjihgfedcba"


def _raw_keys(model) -> dict[int, str]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {connection.ops.quote_name('key')} FROM {table}")
        return dict(cursor.fetchall())


def _make_devices(user, count: int = 3) -> dict[tuple[type, int], str]:
    keys = {}
    for model in (ExampleDevice, HardwareExampleDevice):
        for i in range(count):
            key = secrets.token_hex(20)
            device = model.objects.create(user=user, name=f"{model.__name__} {i}", key=key)
            keys[(model, device.pk)] = key
    return keys


def _rotate(**options) -> str:
    out = StringIO()
    call_command("otp_rotate_keys", stdout=out, **options)
    return out.getvalue()


@pytest.mark.parametrize("batch_size", [500, 1, 2])
def test_rotation_moves_every_secret_to_the_new_key(settings, user, batch_size):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    keys = _make_devices(user)
    before = {model: _raw_keys(model) for model in (ExampleDevice, HardwareExampleDevice)}

    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    output = _rotate(batch_size=batch_size)
    assert "otp_example.ExampleDevice: 3 of 3 row(s) re-encrypted" in output
    assert "otp_example.HardwareExampleDevice: 3 of 3 row(s) re-encrypted" in output
    assert "6 secret(s) now under the first key." in output
    assert "older keys may be removed" in output
    for key in keys.values():
        assert key not in output

    settings.OTP_ENCRYPTION_KEYS = [NEW]
    for (model, pk), key in keys.items():
        raw = _raw_keys(model)[pk]
        assert raw != before[model][pk]
        assert key not in raw
        assert crypto.decrypt(raw) == key
        assert model.objects.get(pk=pk).key == key

    # The old key alone no longer opens anything.
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    for model, pk in keys:
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(_raw_keys(model)[pk])


def test_rotation_keeps_other_fields(settings, user):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    device = ExampleDevice.objects.create(user=user, name="phone", key=secrets.token_hex(20))
    ExampleDevice.objects.filter(pk=device.pk).update(counter=41, throttling_failure_count=2)
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    _rotate()
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    fetched = ExampleDevice.objects.get(pk=device.pk)
    assert (fetched.name, fetched.counter, fetched.throttling_failure_count) == ("phone", 41, 2)
    assert fetched.key == device.key


def test_rotation_with_nothing_to_do(settings):
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    output = _rotate()
    assert "0 secret(s) now under the first key." in output


def test_rotation_is_idempotent(settings, user):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    keys = _make_devices(user, count=1)
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    _rotate()
    _rotate()
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    for (model, pk), key in keys.items():
        assert model.objects.get(pk=pk).key == key


def test_missing_key_fails_with_model_name_and_no_secret(settings, user):
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    keys = _make_devices(user, count=2)
    raw_before = _raw_keys(ExampleDevice)

    # OLD was dropped before the rotation ran.
    settings.OTP_ENCRYPTION_KEYS = [NEW]
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("otp_rotate_keys", stdout=out)
    message = str(info.value)
    assert "otp_example." in message
    assert "Device" in message
    for text in (message, out.getvalue()):
        for secret in [*keys.values(), OLD, NEW, *raw_before.values()]:
            assert secret not in text
    assert info.value.__cause__ is None

    # Nothing was damaged: with the old key back, every secret still reads.
    settings.OTP_ENCRYPTION_KEYS = [OLD]
    for (model, pk), key in keys.items():
        assert model.objects.get(pk=pk).key == key


def test_rows_without_a_secret_are_not_counted(settings, user):
    from otp_example.models import ExampleOATHDevice

    settings.OTP_ENCRYPTION_KEYS = [OLD]
    ExampleOATHDevice.objects.create(user=user, name="app")
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    output = _rotate()
    assert "otp_example.ExampleOATHDevice: 1 of 1 row(s) re-encrypted" in output
    assert "otp_example.ExampleDevice: 0 of 0 row(s) re-encrypted" in output


def test_fewer_rows_re_encrypted_than_found_fails(settings, user):
    # A row deleted between counting and re-encrypting (or any other shortfall)
    # fails the command instead of reporting success.
    from django.db.models.signals import pre_save

    settings.OTP_ENCRYPTION_KEYS = [OLD]
    _make_devices(user, count=2)
    settings.OTP_ENCRYPTION_KEYS = [NEW, OLD]
    last = ExampleDevice.objects.order_by("pk").last()

    def delete_the_last(sender, instance, **kwargs):
        if instance.pk != last.pk:
            ExampleDevice.objects.filter(pk=last.pk).delete()

    pre_save.connect(delete_the_last, sender=ExampleDevice)
    try:
        with pytest.raises(CommandError, match="re-encrypted 1 of the 2 row"):
            _rotate(batch_size=1)
    finally:
        pre_save.disconnect(delete_the_last, sender=ExampleDevice)

"""Management commands: otp_status, otp_disable, otp_unlock."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from otp_example.models import ExampleDevice, HardwareExampleDevice

import otp_core

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_otp_status(user, other_user, device):
    assert run("otp_status", "alice", "bob").splitlines() == ["alice: enabled", "bob: disabled"]


def test_otp_status_unconfirmed_only_is_disabled(user, device_factory):
    device_factory(user, confirmed=False)
    assert run("otp_status", "alice") == "alice: disabled\n"


def test_otp_status_verbose_lists_devices(user, device, device_factory):
    unconfirmed = device_factory(user, HardwareExampleDevice, confirmed=False, name="spare key")
    locked = device_factory(user, name="old phone", throttling_failure_count=100)
    lines = run("otp_status", "alice", verbosity=2).splitlines()
    assert lines[0] == "alice: enabled"
    assert f"  {device.persistent_id} {device.name}" in lines
    assert f"  {unconfirmed.persistent_id} spare key (unconfirmed)" in lines
    assert f"  {locked.persistent_id} old phone (locked)" in lines
    assert len(lines) == 4
    # Never a secret.
    assert device.key not in "\n".join(lines)


def test_otp_disable(user, other_user, device, hw_device, device_factory):
    foreign = device_factory(other_user)
    device_factory(user, confirmed=False)
    assert run("otp_disable", "alice") == "alice: 3 device(s) removed\n"
    assert otp_core.devices_for_user(user, confirmed=None) == []
    assert ExampleDevice.objects.filter(pk=foreign.pk).exists()


def test_otp_unlock(settings, user, other_user, device, hw_device, device_factory):
    foreign = device_factory(other_user, throttling_failure_count=100)
    ExampleDevice.objects.filter(pk=device.pk).update(throttling_failure_count=100)
    HardwareExampleDevice.objects.filter(pk=hw_device.pk).update(throttling_failure_count=7)
    assert run("otp_unlock", "alice") == "alice: 2 device(s) unlocked, account was not locked\n"
    for d in (device, hw_device):
        d.refresh_from_db()
        assert d.throttling_failure_count == 0
        assert not d.is_locked_out
    foreign.refresh_from_db()
    assert foreign.throttling_failure_count == 100


@pytest.mark.parametrize("command", ["otp_status", "otp_disable", "otp_unlock"])
def test_unknown_user_is_a_command_error(command, user, device):
    with pytest.raises(CommandError, match="Unknown user\\(s\\): mallory"):
        call_command(command, "alice", "mallory", stdout=StringIO())
    # Nothing was done for the known user either.
    device.refresh_from_db()
    assert ExampleDevice.objects.filter(pk=device.pk).exists()


def test_user_names_are_required():
    with pytest.raises(CommandError):
        call_command("otp_status", stdout=StringIO())

"""otp_static_addcodes and addstatictoken: codes printed once, stored hashed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from otp_static.models import StaticDevice

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().split()


def test_addcodes_creates_a_set_and_prints_the_codes(user):
    printed = run("otp_static_addcodes", "alice")
    assert len(printed) == 10
    assert all(len(code) == 11 and code[5] == "-" for code in printed)
    device = StaticDevice.objects.get(user=user)
    assert device.confirmed
    assert device.name == "backup"
    assert device.remaining == 10
    assert device.verify_token(printed[3])


def test_addcodes_adds_or_replaces(user):
    first = run("otp_static_addcodes", "alice", "--count", "3")
    more = run("otp_static_addcodes", "alice", "-c", "2")
    device = StaticDevice.objects.get(user=user)
    assert device.remaining == 5
    fresh = run("otp_static_addcodes", "alice", "--count", "4", "--replace")
    assert device.remaining == 4
    assert StaticDevice.objects.filter(user=user).count() == 1
    assert not device.verify_token(first[0])
    device.throttle_reset()
    assert not device.verify_token(more[0])
    device.throttle_reset()
    assert device.verify_token(fresh[0])


def test_addcodes_refuses_bad_input(user):
    with pytest.raises(CommandError, match="Unknown user: nobody"):
        run("otp_static_addcodes", "nobody")
    with pytest.raises(CommandError, match="--count"):
        run("otp_static_addcodes", "alice", "--count", "0")
    assert not StaticDevice.objects.exists()


def test_addstatictoken_adds_a_random_code(user):
    (code,) = run("addstatictoken", "alice")
    device = StaticDevice.objects.get(user=user)
    assert device.remaining == 1
    assert device.verify_token(code)


def test_addstatictoken_adds_a_given_code(user):
    run("otp_static_addcodes", "alice", "--count", "1")
    assert run("addstatictoken", "alice", "--token", "Ab12-Cd34") == ["Ab12-Cd34"]
    assert run("addstatictoken", "alice", "-t", "zz99") == ["zz99"]
    device = StaticDevice.objects.get(user=user)
    assert device.remaining == 3
    assert device.verify_token("ab12cd34")
    assert device.verify_token("ZZ99")


def test_addstatictoken_refuses_an_empty_code(user):
    with pytest.raises(CommandError, match="1 to 64"):
        run("addstatictoken", "alice", "--token", " - ")
    assert not StaticDevice.objects.exists()

"""two_factor_status and two_factor_disable, as the reference shows them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_status(user, other_user, example_device):
    out = StringIO()
    call_command("two_factor_status", "alice", "bob", stdout=out)
    assert out.getvalue() == "alice: enabled\nbob: disabled\n"


def test_status_unknown_user(user):
    with pytest.raises(CommandError, match='User "nobody" does not exist'):
        call_command("two_factor_status", "nobody", stdout=StringIO())


def test_disable(user, other_user, example_device, challenge_device):
    from otp_example.models import ExampleDevice

    ExampleDevice.objects.create(user=other_user, name="bob's", key="44" * 20)
    call_command("two_factor_disable", "alice", stdout=StringIO())
    out = StringIO()
    call_command("two_factor_status", "alice", "bob", stdout=out)
    assert out.getvalue() == "alice: disabled\nbob: enabled\n"


def test_disable_unknown_user_changes_nothing(user, example_device):
    with pytest.raises(CommandError):
        call_command("two_factor_disable", "alice", "nobody", stdout=StringIO())
    out = StringIO()
    call_command("two_factor_status", "alice", stdout=out)
    assert out.getvalue() == "alice: enabled\n"

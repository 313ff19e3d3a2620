"""The account-wide lock of otp-core, as the login wizard and the commands show it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.utils import timezone

from otp_core.models import AccountThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(user):
    now = timezone.now()
    return AccountThrottle.objects.create(
        user=user, failure_count=100, last_failure_at=now, locked_at=now
    )


def test_token_step_says_the_account_is_locked(
    client, locked, example_device, login_flow, code_for
):
    login_flow.password()
    response = login_flow.token(code_for(example_device))
    assert response.status_code == 200
    assert "locked for this account" in response.content.decode()
    assert SESSION_KEY not in client.session
    example_device.refresh_from_db()
    assert example_device.counter == 0  # the right code was not consumed
    assert example_device.throttling_failure_count == 0


def test_two_factor_disable_leaves_the_account_lock(user, locked, example_device):
    call_command("two_factor_disable", "alice", stdout=StringIO())
    locked.refresh_from_db()
    assert locked.is_locked
    assert locked.failure_count == 100

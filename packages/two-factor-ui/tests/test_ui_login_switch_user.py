"""Signing in as someone else while signed in (issue 12): no 500, nothing leaks."""

from __future__ import annotations

import secrets

import pytest
from django.contrib.auth import SESSION_KEY

from otp_core.session import stored_verifications

pytestmark = pytest.mark.django_db


def _wizard_state(client):
    """What the login wizard keeps in the session after the sign-in: nothing."""
    state = client.session.get("wizard_login_view")
    return None if state is None else state["extra_data"]


def test_signed_in_user_signs_in_as_another_user_with_a_device(
    client, user, other_user, example_device, login_flow, code_for
):
    from otp_example.models import ExampleDevice

    bob_device = ExampleDevice.objects.create(
        user=other_user, name="Bob's app", key=secrets.token_hex(20)
    )
    # A signs in fully.
    login_flow.password()
    assert login_flow.token(code_for(example_device)).status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)

    # Then B signs in through the same login page, in the same browser.
    response = login_flow.password("bob", "battery staple")
    assert response.status_code == 200
    assert 'name="token-otp_token"' in response.content.decode()
    response = login_flow.token(code_for(bob_device))
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(other_user.pk)
    [verification] = [v for v in stored_verifications(client.session) if v.amr != "pwd"]
    assert verification.device_id == bob_device.persistent_id
    # No wizard state of either sign-in is left behind.
    assert _wizard_state(client) in (None, {})


def test_half_done_sign_in_of_a_does_not_leak_into_b(
    client, user, other_user, example_device, login_flow, code_for
):
    # A signs in with a password only; B then passes the password step in the same browser.
    client.force_login(user)
    login_flow.password()  # A again, now waiting at the token step
    response = login_flow.password("bob", "battery staple")  # B has no device
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(other_user.pk)
    assert [v.amr for v in stored_verifications(client.session)] == ["pwd"]
    # A's pending token step is gone: posting A's code now verifies nobody.
    response = login_flow.token(code_for(example_device))
    assert response.status_code == 200
    assert [v.amr for v in stored_verifications(client.session)] == ["pwd"]
    assert client.session[SESSION_KEY] == str(other_user.pk)


def test_user_without_device_signs_in_after_another_user(client, user, other_user, login_flow):
    client.force_login(other_user)
    response = login_flow.password()
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert _wizard_state(client) in (None, {})

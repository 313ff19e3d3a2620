"""Sudo mode reaches a plugin's own pages (otp-phone's backup phones) through otp-core."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from otp_core.session import record_verification

pytestmark = pytest.mark.django_db


def signed_in(client, user, device, age):
    client.force_login(user)
    session = client.session
    record_verification(session, device, at=time.time() - age)
    session.save()
    return client


def test_plugins_pages_that_add_or_remove_a_factor_ask_the_same(client, user, example_device):
    """otp-phone's own pages take the policy through otp_core.access.sensitive_policy()."""
    from otp_core.access import sensitive_policy
    from otp_core.policy import Policy

    assert sensitive_policy() == Policy(max_age=600)
    signed_in(client, user, example_device, age=3600)
    response = client.get(reverse("otp_phone:setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:step_up"))
    signed_in(client, user, example_device, age=5)
    assert client.get(reverse("otp_phone:setup")).status_code == 200

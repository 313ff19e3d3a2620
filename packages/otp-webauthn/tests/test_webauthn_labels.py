"""A WebAuthn credential is a "Security key" or a "Passkey", with the user's name for it."""

from __future__ import annotations

import pytest

from otp_webauthn.models import WebAuthnDevice

pytestmark = pytest.mark.django_db


def test_device_bound_key(user):
    assert WebAuthnDevice(user=user, name="Blue key").display_label() == "Security key (Blue key)"
    # The set-up form's default name adds nothing.
    assert WebAuthnDevice(user=user, name="Security key").display_label() == "Security key"


def test_synced_passkey(user):
    device = WebAuthnDevice(user=user, name="Laptop", backup_eligible=True)
    assert device.display_label() == "Passkey (Laptop)"

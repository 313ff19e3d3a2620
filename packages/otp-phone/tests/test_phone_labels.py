"""A phone is named by what it does and where, masked: never the full number."""

from __future__ import annotations

import pytest

from otp_phone.models import PhoneDevice

pytestmark = pytest.mark.django_db


def test_text_message_label_masks_the_number(user):
    device = PhoneDevice(user=user, name="default", number="+31612345678")
    assert device.kind_label() == "Text message to +31 * ******78"
    assert device.display_label() == "Text message to +31 * ******78"


def test_phone_call_label(user):
    device = PhoneDevice(user=user, name="backup", number="+31612345678", method="call")
    assert device.display_label() == "Phone call to +31 * ******78"
    assert device.added_as_backup()


def test_a_users_name_shows_too_but_never_the_number(user):
    device = PhoneDevice(user=user, name="Mum's phone", number="+31612345678")
    label = device.display_label()
    assert label == "Text message to +31 * ******78 (Mum's phone)"
    assert "612345678" not in label

"""An e-mail device is named by the masked address its codes go to."""

from __future__ import annotations

import pytest

from otp_email.models import EmailDevice

pytestmark = pytest.mark.django_db


def test_label_masks_the_address(user):
    device = EmailDevice(user=user, name="E-mail", email="dora@example.com")
    assert device.display_label() == "E-mail to d***@example.com"


def test_blank_address_means_the_users_own(user):
    assert EmailDevice(user=user, name="").display_label() == "E-mail to a***@example.com"


def test_a_users_name_shows_too(user):
    device = EmailDevice(user=user, name="Work mail", email="dora@example.com")
    assert device.display_label() == "E-mail to d***@example.com (Work mail)"

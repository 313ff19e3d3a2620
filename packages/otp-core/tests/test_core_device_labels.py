"""How lists name a device: its kind, and the user's own name for it when it has one."""

from __future__ import annotations

import pytest
from django.utils import translation
from otp_example.models import ExampleDevice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Phone app", "Example codes (Phone app)"),
        ("default", "Example codes"),  # django-two-factor-auth's names mean nothing
        ("backup", "Example codes"),
        ("  ", "Example codes"),
        ("", "Example codes"),
        ("example codes", "Example codes"),  # a set-up's default name: the kind itself
        ("example device", "Example codes"),  # the model's verbose name
    ],
)
def test_display_label(user, name, label):
    device = ExampleDevice(user=user, name=name)
    assert device.kind_label() == "Example codes"  # the plugin's label
    assert device.display_label() == label


def test_custom_name_is_the_users_own_name_only(user):
    assert ExampleDevice(user=user, name=" Work ").custom_name() == "Work"
    assert ExampleDevice(user=user, name="Default").custom_name() == ""


def test_added_as_backup_follows_django_two_factor_auths_name(user):
    assert ExampleDevice(user=user, name="backup").added_as_backup()
    assert not ExampleDevice(user=user, name="default").added_as_backup()
    assert not ExampleDevice(user=user, name="Backup phone").added_as_backup()


def test_the_label_is_translated(user):
    device = ExampleDevice(user=user, name="Work")
    with translation.override("de"):
        assert device.display_label() == "Example codes (Work)"


def test_a_model_no_plugin_declares_is_named_by_its_verbose_name(user, monkeypatch):
    from otp_core import plugins

    monkeypatch.setattr(plugins, "installed", lambda: {})
    device = ExampleDevice(user=user, name="Work")
    assert device.display_label() == f"{ExampleDevice._meta.verbose_name.capitalize()} (Work)"

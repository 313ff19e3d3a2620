"""The two setup steps: address (sends a code), then code (confirms the device)."""

from __future__ import annotations

import pytest
from django.core import mail

from otp_core import plugins
from otp_email.forms import EmailAddressStep, EmailConfirmStep
from otp_email.models import EmailDevice

pytestmark = pytest.mark.django_db


def test_plugin_is_registered():
    plugin = plugins.get("email")
    assert plugin.app == "otp_email"
    assert plugin.factor_kind == "email"
    assert plugin.get_device_models() == [EmailDevice]
    assert plugin.get_setup_forms() == [EmailAddressStep, EmailConfirmStep]
    assert EmailDevice._meta.app_label == "otp_core_email"


def test_address_defaults_to_the_users(user):
    form = EmailAddressStep(user=user, state={})
    assert form.fields["email"].initial == "alice@example.com"
    assert 'autocomplete="email"' in str(form["email"])


def test_setup_confirms_only_after_the_code_matched(user, code_in):
    state: dict = {}
    first = EmailAddressStep({"email": "alice@work.example"}, user=user, state=state)
    assert first.is_valid(), first.errors
    assert first.save() is None
    device = EmailDevice.objects.get(user=user)
    assert not device.confirmed
    assert device.email == "alice@work.example"
    assert mail.outbox[0].to == ["alice@work.example"]
    assert str(first.challenge) == "We sent a code to a***@work.example."
    code = code_in(mail.outbox[0].body)

    wrong = EmailConfirmStep(
        {"otp_token": "000000" if code != "000000" else "111111"}, user=user, state=state
    )
    assert not wrong.is_valid()
    assert wrong.errors["__all__"] == ["Invalid code. Please make sure you entered it correctly."]
    device.refresh_from_db()
    assert not device.confirmed

    # The failure above throttles for 1 s; let it pass instead of sleeping.
    EmailDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    second = EmailConfirmStep({"otp_token": code}, user=user, state=state)
    assert second.get_context() == {"masked_address": "a***@work.example"}
    assert second.is_valid(), second.errors
    saved = second.save()
    assert saved.pk == device.pk
    saved.refresh_from_db()
    assert saved.confirmed
    assert "otp_email_device" not in state


def test_confirm_without_first_step_is_an_error(user):
    form = EmailConfirmStep({"otp_token": "123456"}, user=user, state={})
    assert not form.is_valid()
    assert "start again" in form.errors["__all__"][0]


def test_confirm_refuses_another_users_pending_device(user, other_user):
    theirs = EmailDevice.objects.create(user=other_user, name="Mail", confirmed=False)
    form = EmailConfirmStep(
        {"otp_token": "123456"}, user=user, state={"otp_email_device": theirs.pk}
    )
    assert not form.is_valid()
    assert "start again" in form.errors["__all__"][0]


def test_delivery_failure_is_a_form_error_and_leaves_no_device(user, refused_smtp):
    form = EmailAddressStep({"email": "alice@example.com"}, user=user, state={})
    assert not form.is_valid()
    assert form.errors["__all__"] == [
        "The code could not be sent. Please check the address or try again later."
    ]
    assert not EmailDevice.objects.filter(user=user).exists()


def test_resending_within_the_cooldown_is_a_form_error(user):
    state: dict = {}
    assert EmailAddressStep({"email": "alice@example.com"}, user=user, state=state).is_valid()
    again = EmailAddressStep({"email": "alice@example.com"}, user=user, state=state)
    assert not again.is_valid()
    assert "wait" in again.errors["__all__"][0]
    assert EmailDevice.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1


def test_invalid_address_is_a_field_error(user):
    form = EmailAddressStep({"email": "not an address"}, user=user, state={})
    assert not form.is_valid()
    assert "email" in form.errors
    assert mail.outbox == []

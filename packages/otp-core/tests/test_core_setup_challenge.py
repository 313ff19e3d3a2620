"""The shared set-up steps of devices that send a code (otp_core.setup_challenge)."""

from __future__ import annotations

import pytest
from django import forms
from otp_example.models import ExampleChallengeDevice, outbox

from otp_core.setup import SetupStepForm
from otp_core.setup_challenge import ChallengeSetupMixin, ConfirmCodeStep

pytestmark = pytest.mark.django_db

ERRORS = {
    "delivery_failed": "could not send",
    "cooldown": "wait",
    "no_pending": "start again",
    "invalid_token": "wrong code",
    "throttled": "wait %(seconds)d s",
    "locked_out": "locked",
}


class _Setup(ChallengeSetupMixin):
    device_model = "otp_example.ExampleChallengeDevice"
    state_key = "example_pending"
    error_messages = ERRORS


class SendStep(_Setup, SetupStepForm):
    name = forms.CharField()

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.challenge = self.send_code(
                lambda device: (
                    device
                    or ExampleChallengeDevice(user=self.user, name=cleaned["name"], confirmed=False)
                )
            )
        return cleaned


class ConfirmStep(_Setup, ConfirmCodeStep):
    pass


@pytest.fixture(autouse=True)
def _empty_outbox():
    outbox.clear()
    yield
    outbox.clear()


def test_send_then_confirm_creates_a_confirmed_device(user, settings):
    settings.OTP_THROTTLE_FACTOR = 0  # the wrong code below would delay the right one
    state: dict = {}
    send = SendStep(data={"name": "pager"}, user=user, state=state)
    assert send.is_valid(), send.errors
    device = ExampleChallengeDevice.objects.get(pk=state["example_pending"])
    assert not device.confirmed
    assert str(send.challenge) == "Code sent."

    wrong = ConfirmStep(data={"otp_token": "000000x"}, user=user, state=state)
    assert not wrong.is_valid()
    assert "wrong code" in str(wrong.errors)

    confirm = ConfirmStep(data={"otp_token": outbox[-1]}, user=user, state=state)
    assert confirm.is_valid(), confirm.errors
    saved = confirm.save()
    assert saved.pk == device.pk
    assert saved.confirmed
    assert "example_pending" not in state


def test_sending_again_reuses_the_pending_device(user):
    state: dict = {}
    assert SendStep(data={"name": "a"}, user=user, state=state).is_valid()
    first = state["example_pending"]
    assert SendStep(data={"name": "b"}, user=user, state=state).is_valid()
    assert state["example_pending"] == first
    assert ExampleChallengeDevice.objects.filter(user=user).count() == 1
    assert len(outbox) == 2


def test_failed_delivery_leaves_nothing_behind(user, monkeypatch):
    def broken(self, request):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(ExampleChallengeDevice, "_challenge", broken)
    state: dict = {}
    send = SendStep(data={"name": "pager"}, user=user, state=state)
    assert not send.is_valid()
    assert "could not send" in str(send.errors)
    assert not ExampleChallengeDevice.objects.exists()
    assert "example_pending" not in state


def test_cooldown_is_a_form_error(user, monkeypatch):
    monkeypatch.setattr(ExampleChallengeDevice, "get_cooldown", lambda self: 60)
    state: dict = {}
    assert SendStep(data={"name": "pager"}, user=user, state=state).is_valid()
    again = SendStep(data={"name": "pager"}, user=user, state=state)
    assert not again.is_valid()
    assert "wait" in str(again.errors)


def test_confirm_without_a_pending_device_or_of_another_user(user, other_user):
    lonely = ConfirmStep(data={"otp_token": "123456"}, user=user, state={})
    assert not lonely.is_valid()
    assert "start again" in str(lonely.errors)

    state: dict = {}
    assert SendStep(data={"name": "theirs"}, user=other_user, state=state).is_valid()
    stolen = ConfirmStep(data={"otp_token": outbox[-1]}, user=user, state=state)
    assert not stolen.is_valid()
    assert "start again" in str(stolen.errors)
    assert not ExampleChallengeDevice.objects.get(user=other_user).confirmed

"""The set-up step and the sign-in form, without a UI."""

from __future__ import annotations

import pytest

from otp_core import plugins
from otp_yubikey.forms import YubikeySetupForm, YubikeyVerificationForm
from otp_yubikey.models import RemoteYubikeyDevice, YubikeyDevice

pytestmark = pytest.mark.django_db


def setup_form(user, otp):
    return YubikeySetupForm(data={"otp": otp}, user=user, state={"name": "Blue key"})


def test_plugin_declares_both_models_and_the_forms():
    plugin = plugins.get("yubikey")
    assert [m.__name__ for m in plugin.get_device_models()] == [
        "YubikeyDevice",
        "RemoteYubikeyDevice",
    ]
    assert plugin.get_setup_forms() == [YubikeySetupForm]
    assert plugin.get_verify_form() is YubikeyVerificationForm
    assert plugin.factor_kind == "otp"


def test_one_touch_sets_up_a_remote_key(user, service, ykval, key):
    otp = key.otp()
    form = setup_form(user, otp)
    assert form.is_valid(), form.errors
    device = form.save()
    assert device.pk
    assert device.confirmed
    assert (device.public_id, device.service, device.name) == (key.public_id, service, "Blue key")
    assert ykval.requests[0]["otp"] == otp
    # The server has seen the set-up OTP: it cannot also sign in.
    assert not device.verify_token(otp)


@pytest.mark.parametrize(
    ("make_otp", "code"),
    [
        (lambda key: "123456", "malformed"),
        (lambda key: key.otp() + "x", "malformed"),
        (lambda key: key.otp(public_id=""), "no_public_id"),
    ],
)
def test_malformed_otps_are_form_errors(user, service, ykval, key, make_otp, code):
    form = setup_form(user, make_otp(key))
    assert not form.is_valid()
    assert form.errors.as_data()["otp"][0].code == code
    assert ykval.requests == []


def test_refused_otp_is_a_form_error(user, service, ykval, key):
    ykval.status = "BAD_OTP"
    form = setup_form(user, key.otp())
    assert not form.is_valid()
    assert form.errors.as_data()["otp"][0].code == "refused"
    assert not RemoteYubikeyDevice.objects.exists()


def test_without_the_service_setup_is_unavailable(user, service, key, settings):
    settings.OTP_YUBIKEY_SETUP_SERVICE = "missing"
    form = setup_form(user, key.otp())
    assert not form.is_valid()
    [error] = form.errors.as_data()["otp"]
    assert error.code == "unavailable"
    assert "YubiKey set-up is not configured on this site" in error.messages[0]
    # Whatever was typed: touching the key again cannot help.
    form = setup_form(user, "123456")
    assert not form.is_valid()
    assert form.errors.as_data()["otp"][0].code == "unavailable"


def test_saving_a_set_up_key_sends_device_added_once(user, service, ykval, key, rf):
    from otp_core import signals

    added = []

    def receiver(sender, device, request=None, **kwargs):
        added.append((sender, device, request))

    request = rf.post("/")
    form = YubikeySetupForm(
        data={"otp": key.otp()}, user=user, request=request, state={"name": "Blue key"}
    )
    signals.device_added.connect(receiver, weak=False)
    try:
        assert form.is_valid(), form.errors
        device = form.save()
    finally:
        signals.device_added.disconnect(receiver)
    assert added == [(RemoteYubikeyDevice, device, request)]


def test_a_registered_key_cannot_be_added_again(user, other_user, remote_device, ykval, key):
    form = setup_form(other_user, key.otp())
    assert not form.is_valid()
    assert form.errors.as_data()["otp"][0].code == "taken"
    assert ykval.requests == []


def test_a_local_keys_public_id_is_taken_too(other_user, service, local_device, key):
    form = setup_form(other_user, key.otp())
    assert not form.is_valid()
    assert form.errors.as_data()["otp"][0].code == "taken"


def test_verification_form_takes_the_typed_otp(local_device, key):
    form = YubikeyVerificationForm(data={"otp_token": key.otp()}, device=local_device)
    assert form.is_valid(), form.errors
    widget = form.fields["otp_token"].widget
    html = str(form["otp_token"])
    assert 'autocomplete="off"' in html
    assert "autofocus" in html
    assert widget.attrs["inputmode"] == "text"


def test_verification_form_refuses_a_replay(local_device, key, settings):
    settings.OTP_YUBIKEY_THROTTLE_FACTOR = 0
    otp = key.otp()
    assert YubikeyVerificationForm(data={"otp_token": otp}, device=local_device).is_valid()
    form = YubikeyVerificationForm(data={"otp_token": otp}, device=local_device)
    assert not form.is_valid()
    assert "not accepted" in str(form.errors)
    assert YubikeyDevice.objects.get().counter == key.counter

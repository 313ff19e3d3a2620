"""The TOTP set-up step: new key in state, QR and secret shown, one code confirms."""

from __future__ import annotations

import base64
from xml.etree import ElementTree

import pyotp
import pytest
from django.template.loader import render_to_string

from otp_core import plugins
from otp_core.setup_oath import pending_key
from otp_totp.forms import TOTPSetupForm
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def _totp_for(state: dict) -> pyotp.TOTP:
    key = bytes.fromhex(pending_key(state["otp_totp"]))
    return pyotp.TOTP(base64.b32encode(key).decode(), digits=state["otp_totp"]["digits"])


def test_plugin_declares_setup_form():
    plugin = plugins.get("totp")
    assert plugin.get_setup_forms() == [TOTPSetupForm]
    assert plugin.get_device_models() == [TOTPDevice]
    assert plugin.factor_kind == "otp"


def test_first_display_creates_key_and_context(user):
    state: dict = {}
    form = TOTPSetupForm(user=user, state=state)
    pending = state["otp_totp"]
    assert len(bytes.fromhex(pending_key(pending))) == 20
    context = form.get_context()
    b32 = base64.b32encode(bytes.fromhex(pending_key(pending))).decode().rstrip("=")
    assert context["secret_key"].replace(" ", "") == b32
    assert all(len(group) == 4 for group in context["secret_key"].split(" ")[:-1])
    assert pyotp.parse_uri(context["otpauth_url"]).byte_secret() == bytes.fromhex(
        pending_key(pending)
    )
    assert ElementTree.fromstring(str(context["qr_code"])).tag.endswith("svg")
    # The same key on the next display (the state is kept between requests).
    again = TOTPSetupForm(user=user, state=state)
    assert again.get_context()["secret_key"] == context["secret_key"]


def test_fragment_renders(user):
    state: dict = {}
    form = TOTPSetupForm(user=user, state=state)
    html = render_to_string(
        form.template_name_fragment, {"form": form, "state": state, **form.get_context()}
    )
    assert "<svg" in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert form.get_context()["secret_key"] in html


def test_wrong_code_is_a_form_error(user):
    state: dict = {}
    TOTPSetupForm(user=user, state=state)
    good = _totp_for(state).now()
    form = TOTPSetupForm(user=user, state=state, data={"token": f"{(int(good) + 1) % 10**6:06d}"})
    assert not form.is_valid()
    assert form.has_error("token", "invalid_token")
    assert not TOTPDevice.objects.exists()


def test_right_code_creates_confirmed_device_that_refuses_replay(user, settings):
    settings.TWO_FACTOR_TOTP_DIGITS = 8
    state: dict = {}
    TOTPSetupForm(user=user, state=state)
    assert state["otp_totp"]["digits"] == 8
    code = _totp_for(state).now()
    form = TOTPSetupForm(user=user, state=state, data={"token": code})
    assert form.is_valid(), form.errors
    device = form.save()
    device.refresh_from_db()
    assert device.confirmed
    assert device.user == user
    assert device.digits == 8
    assert device.last_t >= 0
    assert "otp_totp" not in state
    # The set-up code cannot be used again to sign in.
    assert not device.verify_token(code)


def test_tampered_state_gets_a_fresh_key(user):
    state = {"otp_totp": {"key": "not hex", "digits": 6}}
    TOTPSetupForm(user=user, state=state)
    assert len(bytes.fromhex(pending_key(state["otp_totp"]))) == 20


def test_pending_key_is_kept_encrypted_in_state(user, settings):
    import json

    state: dict = {}
    form = TOTPSetupForm(user=user, state=state)
    key = pending_key(state["otp_totp"])
    stored = json.dumps(state)
    b32 = form.get_context()["secret_key"].replace(" ", "")
    for secret in (key, key.upper(), b32, b32.lower()):
        assert secret not in stored
    # A pending key written under an encryption key since removed: a new key, no error.
    settings.OTP_ENCRYPTION_KEYS = ["another-key-0123456789-0123456789-0123456789"]
    again = TOTPSetupForm(user=user, state=state)
    assert pending_key(state["otp_totp"]) != key
    assert again.get_context()["secret_key"].replace(" ", "") != b32

"""The HOTP set-up step: new key in state, QR and secret shown, one code confirms."""

from __future__ import annotations

import base64
from xml.etree import ElementTree

import pyotp
import pytest
from django.template.loader import render_to_string

from otp_core import plugins
from otp_core.setup_oath import pending_key
from otp_hotp.forms import HOTPSetupForm
from otp_hotp.models import HOTPDevice

pytestmark = pytest.mark.django_db


def _hotp_for(state: dict) -> pyotp.HOTP:
    return pyotp.HOTP(base64.b32encode(bytes.fromhex(pending_key(state["otp_hotp"]))).decode())


def test_plugin_declares_setup_form():
    plugin = plugins.get("hotp")
    assert plugin.get_setup_forms() == [HOTPSetupForm]
    assert plugin.get_device_models() == [HOTPDevice]
    assert plugin.factor_kind == "otp"


def test_first_display_creates_key_and_context(user):
    state: dict = {}
    form = HOTPSetupForm(user=user, state=state)
    key = bytes.fromhex(pending_key(state["otp_hotp"]))
    assert len(key) == 20
    context = form.get_context()
    assert context["secret_key"].replace(" ", "") == base64.b32encode(key).decode().rstrip("=")
    parsed = pyotp.parse_uri(context["otpauth_url"])
    assert isinstance(parsed, pyotp.HOTP)
    assert parsed.byte_secret() == key
    assert parsed.initial_count == 0
    assert ElementTree.fromstring(str(context["qr_code"])).tag.endswith("svg")
    html = render_to_string(form.template_name_fragment, {"form": form, "state": state, **context})
    assert "<svg" in html
    assert 'autocomplete="one-time-code"' in html


def test_wrong_code_is_a_form_error(user):
    state: dict = {}
    HOTPSetupForm(user=user, state=state)
    good = _hotp_for(state).at(0)
    form = HOTPSetupForm(user=user, state=state, data={"token": f"{(int(good) + 1) % 10**6:06d}"})
    assert not form.is_valid()
    assert form.has_error("token", "invalid_token")
    assert not HOTPDevice.objects.exists()


def test_right_code_creates_confirmed_device_past_that_code(user):
    state: dict = {}
    HOTPSetupForm(user=user, state=state)
    app = _hotp_for(state)
    form = HOTPSetupForm(user=user, state=state, data={"token": app.at(1)})
    assert form.is_valid(), form.errors
    device = form.save()
    device.refresh_from_db()
    assert device.confirmed
    assert device.counter == 2
    assert not device.verify_token(app.at(1))
    device.throttle_reset()
    assert device.verify_token(app.at(2))

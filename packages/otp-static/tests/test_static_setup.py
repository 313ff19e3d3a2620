"""The set-up step: codes generated once per set-up, shown until confirmed with a checkbox."""

from __future__ import annotations

import json
import re

import pytest
from django.template.loader import render_to_string

from otp_core import plugins
from otp_static.codes import format_code
from otp_static.forms import (
    CODES_KEY,
    STATE_KEY,
    BackupCodesSetupForm,
    BackupCodeVerificationForm,
)
from otp_static.models import StaticDevice

pytestmark = pytest.mark.django_db

CODE = re.compile(r"<code>([a-z0-9-]+)</code>")


def render(form: BackupCodesSetupForm) -> str:
    context = {"form": form, "state": form.state, **form.get_context()}
    return render_to_string(form.template_name_fragment, context)


def show(user, state: dict) -> tuple[BackupCodesSetupForm, str, list[str]]:
    form = BackupCodesSetupForm(user=user, state=state)
    html = render(form)
    return form, html, CODE.findall(html)


def submit(user, state: dict, html: str, **data: str) -> BackupCodesSetupForm:
    fingerprint = re.search(r'name="codes_fingerprint" value="([0-9a-f]+)"', html).group(1)
    return BackupCodesSetupForm({"codes_fingerprint": fingerprint, **data}, user=user, state=state)


def test_the_plugin_declares_the_step():
    plugin = plugins.get("static")
    assert plugin.label == "Backup codes"
    assert plugin.backup is True
    assert plugin.factor_kind == "recovery"
    assert plugin.order == 900
    assert plugin.get_setup_forms() == [BackupCodesSetupForm]
    assert plugin.get_verify_form() is BackupCodeVerificationForm
    assert plugin.get_device_models() == [StaticDevice]
    assert plugin.options["django_otp_importer"] == "otp_static.importer.import_from_django_otp"


def test_codes_are_shown_once_and_confirmed(user):
    state: dict = {}
    _form, html, shown = show(user, state)
    assert len(shown) == 10
    assert "I have stored these codes" in html
    assert "only time they are shown" in html
    device = StaticDevice.objects.get(user=user)
    assert not device.confirmed
    assert state[STATE_KEY] == device.persistent_id

    posted = submit(user, state, html, stored="on")
    assert posted.is_valid(), posted.errors
    # Rendering a valid form again neither shows nor replaces the stored codes.
    assert CODE.findall(render(posted)) == []
    saved = posted.save()
    assert saved.pk == device.pk
    assert saved.confirmed
    assert saved.remaining == 10
    assert STATE_KEY not in state
    assert saved.verify_token(shown[0])


def test_the_same_set_up_shows_the_same_codes_until_a_new_one_is_asked_for(user):
    state: dict = {}
    _, first_html, first = show(user, state)
    _, _, again = show(user, state)  # a reload of the page
    assert again == first
    assert StaticDevice.objects.filter(user=user).count() == 1
    # Only a new set-up (an explicit request: empty state) makes a new set ...
    _, _, new = show(user, {})
    assert not set(first) & set(new)
    # ... and then the page shown first no longer matches the stored set.
    stale = submit(user, state, first_html, stored="on")
    assert not stale.is_valid()
    assert stale.non_field_errors().as_data()[0].code == "replaced"


def test_a_refused_confirmation_shows_the_same_codes_which_then_work(user):
    """Issue 13: the set the user wrote down must be the set that works."""
    state: dict = {}
    _, html, shown = show(user, state)
    unchecked = submit(user, state, html)
    assert not unchecked.is_valid()
    assert "stored" in unchecked.errors
    again = render(unchecked)
    assert CODE.findall(again) == shown
    fixed = submit(user, state, again, stored="on")
    assert fixed.is_valid(), fixed.errors
    device = fixed.save()
    assert device.remaining == 10
    assert all(device.verify_token(code) for code in shown[:3])


def test_pending_codes_are_kept_encrypted_and_forgotten_once_confirmed(user):
    state: dict = {}
    _, html, shown = show(user, state)
    stored = json.dumps(state)
    for code in shown:
        assert code not in stored
        assert code.replace("-", "") not in stored
    assert CODES_KEY in state
    form = submit(user, state, html, stored="on")
    assert form.is_valid()
    form.save()
    assert CODES_KEY not in state


def test_damaged_pending_codes_make_a_new_set(user):
    state: dict = {}
    _, _, shown = show(user, state)
    state[CODES_KEY]["codes"] = "not a ciphertext"
    _, _, again = show(user, state)
    assert len(again) == 10
    assert not set(again) & set(shown)


def test_old_codes_work_until_the_new_ones_are_confirmed(user):
    old = StaticDevice.objects.create(user=user, name="backup")
    old_codes = old.generate_tokens(count=3)
    state: dict = {}
    _, html, _ = show(user, state)
    assert old.verify_token(old_codes[0])
    submit_form = submit(user, state, html, stored="on")
    assert submit_form.is_valid()
    new = submit_form.save()
    assert list(StaticDevice.objects.filter(user=user)) == [new]
    assert not StaticDevice.objects.filter(pk=old.pk).exists()


def test_state_of_another_user_is_not_used(user, other_user):
    theirs = StaticDevice.objects.create(user=other_user, name="backup", confirmed=False)
    state = {STATE_KEY: theirs.persistent_id}
    form, _, _ = show(user, state)
    assert form.device.user_id == user.pk
    assert state[STATE_KEY] != theirs.persistent_id
    assert theirs.token_set.count() == 0


def test_an_unconfirmed_set_does_not_verify_a_login(user):
    from otp_core.auth import match_token

    state: dict = {}
    _, _, shown = show(user, state)
    assert match_token(user, shown[0]) is None


def test_the_verification_form_accepts_a_code_once(static_device):
    codes = static_device.generate_tokens(count=1)
    form = BackupCodeVerificationForm(
        {"otp_token": format_code(codes[0]).upper()}, device=static_device
    )
    assert form.is_valid(), form.errors
    widget = form.fields["otp_token"].widget
    assert widget.attrs["autocomplete"] == "off"
    assert "inputmode" not in widget.attrs
    static_device.throttle_reset()
    again = BackupCodeVerificationForm({"otp_token": codes[0]}, device=static_device)
    assert not again.is_valid()
    assert again.non_field_errors().as_data()[0].code == "invalid_token"

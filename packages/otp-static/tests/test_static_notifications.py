"""The user hears of new backup codes and of every backup code used (otp_core.notifications)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory

from otp_static.forms import BackupCodesSetupForm

pytestmark = pytest.mark.django_db

CODE = re.compile(r"<code>([a-z0-9-]+)</code>")
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(autouse=True)
def _notifications_on(settings):
    settings.OTP_NOTIFY_USERS = True
    mail.outbox = []


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_confirming_new_codes_mails_once_without_any_code(user, committed):
    request = RequestFactory().post("/", HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="198.51.100.7")
    state: dict = {}
    form = BackupCodesSetupForm(user=user, request=request, state=state)
    html = render_to_string(
        form.template_name_fragment, {"form": form, "state": state, **form.get_context()}
    )
    shown = CODE.findall(html)
    fingerprint = re.search(r'name="codes_fingerprint" value="([0-9a-f]+)"', html).group(1)
    posted = BackupCodesSetupForm(
        {"codes_fingerprint": fingerprint, "stored": "on"}, user=user, request=request, state=state
    )
    assert posted.is_valid(), posted.errors
    with committed():
        posted.save()
    assert [m.subject for m in mail.outbox] == ["New backup codes were made for your account"]
    body = mail.outbox[0].body
    assert "10 new backup codes were made" in body
    assert "Firefox on Windows" in body
    assert "198.51.100.7" in body
    for code in shown:
        assert code not in body
        assert code.replace("-", "") not in body


def test_using_a_code_mails_once_with_the_count_left(static_device, committed):
    codes = static_device.generate_tokens(count=3)
    with committed():
        assert static_device.verify_token(codes[1], request=RequestFactory().post("/login/"))
    assert [m.subject for m in mail.outbox] == ["A backup code was used to sign in to your account"]
    body = mail.outbox[0].body
    assert "2 backup codes are left." in body
    assert all(code not in body for code in codes)


def test_a_refused_code_mails_nothing(static_device, committed):
    static_device.generate_tokens(count=1)
    with committed():
        assert not static_device.verify_token("not-a-code")
    assert mail.outbox == []


def test_the_addcodes_command_mails_the_user(user, committed):
    out = StringIO()
    with committed():
        call_command("otp_static_addcodes", "alice", "--count", "4", stdout=out)
    assert [m.subject for m in mail.outbox] == ["New backup codes were made for your account"]
    body = mail.outbox[0].body
    assert "4 new backup codes were made" in body
    assert "outside a web session" in body
    for line in out.getvalue().split():
        assert line not in body


def test_the_addstatictoken_command_mails_the_user(user, committed):
    with committed():
        call_command("addstatictoken", "alice", stdout=StringIO())
    assert [m.subject for m in mail.outbox] == ["New backup codes were made for your account"]
    assert "A new backup code was made" in mail.outbox[0].body

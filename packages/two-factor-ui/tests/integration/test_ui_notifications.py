"""Users are e-mailed, once per change, when their second factors change through the UI."""

from __future__ import annotations

import base64
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from otp_core import oath
from otp_core.session import record_verification
from otp_core.setup_oath import pending_key
from otp_phone.models import PhoneDevice
from otp_static.models import StaticDevice
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PROFILE = "/account/two_factor/"
AGENT = {
    "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
}

ADDED = "A second factor was added to your account"
REMOVED = "A second factor was removed from your account"
CODES_MADE = "New backup codes were made for your account"
CODE_USED = "A backup code was used to sign in to your account"
DISABLED = "Two-factor authentication was turned off for your account"


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.outbox = []


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run on-commit work (the mails) as a real commit would; the test transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def totp(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator app")


def verified_with(client, user, device):
    client.force_login(user)
    session = client.session
    record_verification(session, device)
    session.save()
    return client


def subjects():
    return [message.subject for message in mail.outbox]


def setup_post(client, step, fields=None):
    data = {"setup_view-current_step": step}
    data.update({f"{step}-{k}": v for k, v in (fields or {}).items()})
    return client.post(reverse("two_factor:setup"), data, **AGENT)


def test_setting_up_totp_mails_once_without_the_secret(client, user, committed):
    client.force_login(user)
    client.get(reverse("two_factor:setup"))
    response = setup_post(client, "welcome")
    if 'name="method-method"' in response.content.decode():
        setup_post(client, "method", {"method": "totp"})
    key = pending_key(client.session["wizard_setup_view"]["extra_data"]["state"]["otp_totp"])
    code = oath.format_token(oath.totp(bytes.fromhex(key)))
    with committed():
        response = setup_post(client, "totp-0", {"token": code})
    assert response["Location"] == reverse("two_factor:setup_complete")
    assert subjects() == [ADDED]
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["alice@example.com"]
    assert "Authenticator app" in body
    assert "Firefox on Linux" in body
    assert "127.0.0.1" in body
    base32 = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
    for secret in (key, base32, code, "otpauth://"):
        assert secret not in body


def test_making_backup_codes_mails_once_without_the_codes(client, user, totp, committed):
    client = verified_with(client, user, totp)
    url = reverse("two_factor:backup_tokens")
    html = client.post(url, {"generate": "1"}).content.decode()
    shown = re.findall(r"<code>([^<]+)</code>", html)
    fingerprint = re.search(r'name="backup-codes_fingerprint" value="([^"]*)"', html).group(1)
    assert mail.outbox == []  # showing codes is not making them: the user has not kept them yet
    with committed():
        response = client.post(
            url, {"backup-stored": "on", "backup-codes_fingerprint": fingerprint}, **AGENT
        )
    assert response.status_code == 200
    assert subjects() == [CODES_MADE]
    body = mail.outbox[0].body
    assert "10 new backup codes were made" in body
    assert len(shown) == 10
    assert all(code not in body for code in shown)


def test_signing_in_with_a_backup_code_mails_once(client, user, totp, make_flow, committed):
    device = StaticDevice.objects.create(user=user, name="backup")
    codes = device.generate_tokens()
    flow = make_flow(client)
    flow.password()
    flow.post("token", wizard_goto_step="backup")
    with committed():
        assert flow.backup(codes[0]).status_code == 302
    assert subjects() == [CODE_USED]
    body = mail.outbox[0].body
    assert "9 backup codes are left." in body
    assert all(code not in body for code in codes)


def test_removing_a_phone_from_the_profile_mails_once_without_the_number(
    client, user, totp, committed
):
    phone = PhoneDevice.objects.create(user=user, name="backup", number="+31612345600")
    client = verified_with(client, user, totp)
    with committed():
        response = client.post(
            reverse("otp_phone:delete", kwargs={"pk": phone.pk}), {"next": PROFILE}, **AGENT
        )
    assert response.status_code == 302
    assert subjects() == [REMOVED]
    body = mail.outbox[0].body
    assert "+31612345600" not in body
    assert "612345600" not in body


def test_a_refused_removal_mails_nothing(client, user, committed):
    phone = PhoneDevice.objects.create(user=user, name="backup", number="+31612345600")
    client = verified_with(client, user, phone)
    with committed():
        client.post(reverse("otp_phone:delete", kwargs={"pk": phone.pk}), {"next": PROFILE})
    assert PhoneDevice.objects.filter(pk=phone.pk).exists()
    assert mail.outbox == []


def test_disabling_mails_once(client, user, totp, committed):
    PhoneDevice.objects.create(user=user, name="backup", number="+31612345600")
    StaticDevice.objects.create(user=user, name="backup").generate_tokens()
    client = verified_with(client, user, totp)
    with committed():
        response = client.post(reverse("two_factor:disable"), {"understand": "on"}, **AGENT)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert subjects() == [DISABLED]
    assert "Firefox on Linux" in mail.outbox[0].body


def test_the_disable_command_mails_each_user_once(user, other_user, totp, committed):
    TOTPDevice.objects.create(user=other_user, name="Authenticator app")
    PhoneDevice.objects.create(user=other_user, name="backup", number="+31612345601")
    with committed():
        call_command("two_factor_disable", "alice", "bob", stdout=StringIO())
    assert subjects() == [DISABLED, DISABLED]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]


def test_nothing_is_mailed_when_notifications_are_off(client, user, totp, settings, committed):
    settings.OTP_NOTIFY_USERS = False
    client = verified_with(client, user, totp)
    with committed():
        client.post(reverse("two_factor:disable"), {"understand": "on"})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert mail.outbox == []


def test_a_failing_mail_server_does_not_break_the_page(client, user, totp, settings, committed):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.OTP_NOTIFY_USERS = True
    client = verified_with(client, user, totp)
    with committed():
        response = client.post(reverse("two_factor:disable"), {"understand": "on"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()

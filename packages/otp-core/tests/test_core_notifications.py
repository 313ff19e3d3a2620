"""E-mails to users about changes to their second factors (otp_core.notifications)."""

from __future__ import annotations

import base64
import logging
import socket
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from otp_example.models import ExampleChallengeDevice, ExampleDevice, outbox

from otp_core import oath, signals
from otp_core.checks import check_notifications
from otp_core.models import AccountThrottle
from otp_core.notifications import notifications_enabled, summarize_user_agent
from otp_core.removal import disable_two_factor, remove_device
from otp_core.setup_challenge import ConfirmCodeStep
from otp_core.setup_oath import OATHSetupForm, pending_key
from otp_core.verification import verify

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(autouse=True)
def _notifications_on(settings):
    settings.OTP_NOTIFY_USERS = True
    mail.outbox = []


@pytest.fixture
def web_request():
    return RequestFactory().post("/account/", HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="203.0.113.9")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block schedules for commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class ExampleOATHSetup(OATHSetupForm):
    device_model = "otp_example.ExampleOATHDevice"


class ExampleConfirm(ConfirmCodeStep):
    device_model = "otp_example.ExampleChallengeDevice"
    state_key = "pending"
    error_messages = {"invalid_token": "wrong", "no_pending": "again"}


def only_mail(subject: str):
    assert [m.subject for m in mail.outbox] == [subject]
    return mail.outbox[0]


# -- each event ------------------------------------------------------------------


def test_oath_setup_mails_device_added_once_without_the_key(user, web_request, committed):
    state: dict = {}
    ExampleOATHSetup(user=user, state=state)
    key = pending_key(state["oath"])
    code = oath.format_token(oath.hotp(bytes.fromhex(key), 0))
    form = ExampleOATHSetup({"token": code}, user=user, request=web_request, state=state)
    assert form.is_valid(), form.errors
    with committed() as callbacks:
        device = form.save()
    assert len(callbacks) == 1
    message = only_mail("A second factor was added to your account")
    assert message.to == ["alice@example.com"]
    assert message.from_email == "no-reply@localhost"
    body = message.body
    assert "Example codes" in body  # the plugin's label, not the device's name
    assert "Firefox on Linux" in body
    assert "203.0.113.9" in body
    assert "If this was not you" in body
    base32 = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
    for secret in (key, base32, base32.lower(), code, device.name):
        assert secret not in body
        assert secret not in message.subject


def test_code_confirmation_mails_device_added_once_without_the_code(user, web_request, committed):
    outbox.clear()
    device = ExampleChallengeDevice.objects.create(user=user, name="pager", confirmed=False)
    device.generate_challenge()
    code = outbox[-1]
    form = ExampleConfirm(
        {"otp_token": code}, user=user, request=web_request, state={"pending": device.pk}
    )
    assert form.is_valid(), form.errors
    with committed():
        form.save()
    body = only_mail("A second factor was added to your account").body
    assert code not in body


def test_removing_a_device_mails_once(user, device, web_request, committed):
    with committed():
        remove_device(device, request=web_request)
    assert not ExampleDevice.objects.filter(user=user).exists()
    body = only_mail("A second factor was removed from your account").body
    assert "Firefox on Linux" in body
    assert device.key not in body


def test_removing_a_pending_device_mails_nothing(user, device_factory, committed):
    pending = device_factory(user, confirmed=False)
    with committed():
        remove_device(pending)
    assert mail.outbox == []


def test_disabling_sends_one_signal_per_device_and_one_mail(
    user, device, hw_device, device_factory, committed
):
    device_factory(user, confirmed=False)
    events = []

    def record(sender, signal, **kwargs):
        events.append((signal, kwargs))

    signals.device_removed.connect(record)
    signals.two_factor_disabled.connect(record)
    try:
        with committed():
            assert disable_two_factor(user) == 3
    finally:
        signals.device_removed.disconnect(record)
        signals.two_factor_disabled.disconnect(record)
    removed = [kw for sig, kw in events if sig is signals.device_removed]
    assert len(removed) == 2
    assert all(kw["disabling"] for kw in removed)
    assert [sig for sig, _ in events][-1] is signals.two_factor_disabled
    assert len(events) == 3
    body = only_mail("Two-factor authentication was turned off for your account").body
    assert "outside a web session" in body  # no request: a command or code did it


def test_disabling_a_user_without_devices_mails_nothing(user, committed):
    with committed():
        assert disable_two_factor(user) == 0
    assert mail.outbox == []


def test_otp_disable_command_mails_the_user(user, device, committed):
    with committed():
        call_command("otp_disable", "alice", stdout=StringIO())
    only_mail("Two-factor authentication was turned off for your account")


def test_backup_codes_generated_mail(user, device, web_request, committed):
    with committed():
        signals.backup_codes_generated.send(
            type(device), user=user, device=device, count=10, request=web_request
        )
    body = only_mail("New backup codes were made for your account").body
    assert "10 new backup codes were made" in body


def test_account_lockout_through_verification_mails_once(user, device, settings, committed):
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 2
    settings.OTP_THROTTLE_FACTOR = 0
    with committed():
        for _ in range(3):
            assert not verify(device, "000000x").accepted
    assert AccountThrottle.objects.get(user=user).locked_at is not None
    body = only_mail("Your account's second factors were locked").body
    assert "After 2 wrong codes in a row" in body


# -- when no mail goes out ----------------------------------------------------------


def test_nothing_is_sent_before_the_transaction_commits(user, device, committed):
    def change_then_fail():
        with transaction.atomic():
            remove_device(device)
            raise RuntimeError("rolled back")

    with committed() as callbacks, pytest.raises(RuntimeError):
        change_then_fail()
    assert callbacks == []
    assert mail.outbox == []


def test_a_user_without_an_address_gets_nothing(user, device, committed):
    get_user_model().objects.filter(pk=user.pk).update(email="")
    device.refresh_from_db()
    with committed():
        remove_device(device)
    assert mail.outbox == []


def test_setting_off_sends_nothing(user, device, settings, committed):
    settings.OTP_NOTIFY_USERS = False
    with committed():
        remove_device(device)
    assert mail.outbox == []


def test_default_follows_email_backend_being_set(settings, monkeypatch):
    from django.conf import UserSettingsHolder
    from django.conf import settings as django_settings

    settings.OTP_NOTIFY_USERS = None
    # test_project sets EMAIL_BACKEND, so notifications are on by default.
    assert notifications_enabled()
    base = django_settings._wrapped
    while isinstance(base, UserSettingsHolder):
        base = base.default_settings
    # As if settings.py did not set EMAIL_BACKEND.
    monkeypatch.setattr(base, "_explicit_settings", base._explicit_settings - {"EMAIL_BACKEND"})
    assert not notifications_enabled()
    settings.OTP_NOTIFY_USERS = True
    assert notifications_enabled()


def test_default_follows_mailers_being_set(settings, monkeypatch):
    """Django 6.1 replaces EMAIL_BACKEND with MAILERS: a site that sets it has mail too."""
    from django.conf import UserSettingsHolder
    from django.conf import settings as django_settings

    settings.OTP_NOTIFY_USERS = None
    base = django_settings._wrapped
    while isinstance(base, UserSettingsHolder):
        base = base.default_settings
    monkeypatch.setattr(
        base, "_explicit_settings", (base._explicit_settings - {"EMAIL_BACKEND"}) | {"MAILERS"}
    )
    assert notifications_enabled()


def test_from_address_setting(user, device, settings, committed):
    settings.OTP_NOTIFY_FROM_EMAIL = "security@example.org"
    with committed():
        remove_device(device)
    assert mail.outbox[0].from_email == "security@example.org"


def test_a_failed_send_is_logged_without_the_address_and_not_raised(
    user, device, settings, caplog, committed
):
    with socket.socket() as probe:  # a local port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    caplog.set_level(logging.DEBUG, logger="otp_core")
    with committed():
        remove_device(device)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    text = errors[0].getMessage()
    assert "device_removed" in text
    assert str(user.pk) in text
    assert "alice@example.com" not in caplog.text
    assert errors[0].exc_info is None


def test_templates_can_be_overridden(user, device, settings, tmp_path, committed):
    folder = tmp_path / "otp_core" / "notifications"
    folder.mkdir(parents=True)
    (folder / "device_removed_subject.txt").write_text("[Example] {{ device_label }} removed\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [str(tmp_path), *settings.TEMPLATES[0]["DIRS"]]}
    ]
    with committed():
        remove_device(device)
    assert mail.outbox[0].subject == "[Example] Example codes removed"


# -- the client summary ------------------------------------------------------------


def test_user_agent_summary_uses_known_names_only():
    assert summarize_user_agent(FIREFOX) == "Firefox on Linux"
    chrome_mac = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    )
    assert summarize_user_agent(chrome_mac) == "Chrome on macOS"
    assert summarize_user_agent("") == "an unknown browser"
    assert summarize_user_agent("Call +1 555 0100 now: http://evil.example/") == (
        "an unknown browser"
    )


def test_header_text_and_a_bad_address_do_not_reach_the_mail(user, device, committed):
    request = RequestFactory().post(
        "/", HTTP_USER_AGENT=f"{FIREFOX} Visit http://evil.example/fix", REMOTE_ADDR="bogus"
    )
    with committed():
        remove_device(device, request=request)
    body = mail.outbox[0].body
    assert "evil.example" not in body
    assert "bogus" not in body
    assert "Firefox on Linux" in body


# -- checks ------------------------------------------------------------------------


def test_checks_refuse_wrong_types(settings):
    settings.OTP_NOTIFY_USERS = "yes"
    settings.OTP_NOTIFY_FROM_EMAIL = 42
    assert {e.id for e in check_notifications()} == {"otp_core.E017", "otp_core.E018"}
    settings.OTP_NOTIFY_USERS = None
    settings.OTP_NOTIFY_FROM_EMAIL = "security@example.org"
    assert check_notifications() == []


def test_check_warns_when_the_user_model_has_no_email_field(settings, monkeypatch):
    monkeypatch.setattr(get_user_model(), "EMAIL_FIELD", "contact_address")
    assert [e.id for e in check_notifications()] == ["otp_core.W005"]
    settings.OTP_NOTIFY_USERS = False
    assert check_notifications() == []


def test_every_event_has_templates():
    from django.template.loader import get_template

    from otp_core.notifications import EVENTS

    for event in EVENTS:
        get_template(f"otp_core/notifications/{event}_subject.txt")
        get_template(f"otp_core/notifications/{event}_body.txt")


@pytest.mark.parametrize("how", ["delete view", "delete_selected action"])
def test_deleting_in_the_admin_mails_the_owner(
    how, user, device, verified_login, django_user_model, committed
):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    admin_device = ExampleDevice.objects.create(user=admin_user, name="root's", confirmed=True)
    client = verified_login(admin_user, admin_device)
    base = f"/admin/{ExampleDevice._meta.app_label}/{ExampleDevice._meta.model_name}/"
    with committed():
        if how == "delete view":
            response = client.post(f"{base}{device.pk}/delete/", {"post": "yes"})
        else:
            response = client.post(
                base,
                {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"},
            )
    assert response.status_code == 302
    assert not ExampleDevice.objects.filter(pk=device.pk).exists()
    message = only_mail("A second factor was removed from your account")
    assert message.to == [user.email]

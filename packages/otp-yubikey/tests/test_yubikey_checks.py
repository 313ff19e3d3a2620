"""System checks of otp-yubikey."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.management import call_command

from otp_yubikey import checks as yubikey_checks
from otp_yubikey.models import ValidationService

from .ykval_server import API_KEY


def ids(messages) -> list[str]:
    return [m.id for m in messages if m.id.startswith("otp_yubikey.")]


def test_no_messages_by_default():
    assert ids(checks.run_checks()) == []


def test_django_otp_yubikey_installed_is_an_error(tmp_path, monkeypatch):
    info = tmp_path / "django_otp_yubikey-1.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: django-otp-yubikey\nVersion: 1.1.0\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    [error] = yubikey_checks.check_conflict()
    assert error.id == "otp_yubikey.E001"
    assert "django-otp-yubikey 1.1.0" in error.msg
    assert "pip uninstall django-otp-yubikey" in error.hint
    assert "otp_import_django_otp" in error.hint


@pytest.mark.parametrize(
    ("name", "value", "error_id"),
    [
        ("OTP_YUBIKEY_THROTTLE_FACTOR", -1, "otp_yubikey.E002"),
        ("OTP_YUBIKEY_THROTTLE_FACTOR", "1", "otp_yubikey.E002"),
        ("OTP_YUBIKEY_SETUP_SERVICE", "", "otp_yubikey.E003"),
        ("OTP_YUBIKEY_SETUP_SERVICE", 3, "otp_yubikey.E003"),
    ],
)
def test_wrong_settings_are_errors(settings, name, value, error_id):
    setattr(settings, name, value)
    assert ids(yubikey_checks.check_settings()) == [error_id]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("base_url", "use_ssl", "debug", "warned"),
    [
        ("http://127.0.0.1:8/wsapi/2.0/verify", True, False, True),
        ("https://a.example/verify\nhttp://b.example/verify", True, False, True),
        ("", False, False, True),
        ("", True, False, False),
        ("https://a.example/verify", True, False, False),
        ("http://127.0.0.1:8/wsapi/2.0/verify", True, True, False),
    ],
)
def test_plain_http_url_is_a_warning_without_debug(settings, base_url, use_ssl, debug, warned):
    settings.DEBUG = debug
    ValidationService.objects.create(
        name="default", api_key=API_KEY, base_url=base_url, use_ssl=use_ssl
    )
    messages = yubikey_checks.check_plain_http(databases=["default"])
    assert ids(messages) == (["otp_yubikey.W001"] if warned else [])
    # Without database access (plain "check"), the check stays silent.
    assert yubikey_checks.check_plain_http() == []


@pytest.mark.django_db
def test_check_command_with_database_reports_the_warning(settings, capsys):
    settings.DEBUG = False
    ValidationService.objects.create(name="default", api_key=API_KEY, base_url="http://x.example/v")
    call_command("check", "--database", "default", "--tag", "database", fail_level="ERROR")
    captured = capsys.readouterr()
    assert "otp_yubikey.W001" in captured.out + captured.err

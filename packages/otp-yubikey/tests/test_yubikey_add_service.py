"""``otp_yubikey_add_service``: the demo's (and any site's) way to get a service."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import CommandError, call_command

from otp_yubikey.forms import YubikeySetupForm
from otp_yubikey.models import ValidationService

from .ykval_server import API_ID, API_KEY

pytestmark = pytest.mark.django_db


def run(*args, stdin=""):
    out = io.StringIO()
    call_command("otp_yubikey_add_service", *args, stdout=out, stdin=io.StringIO(stdin))
    return out.getvalue()


def test_a_service_from_standard_input_lets_set_up_work(user, ykval, key, monkeypatch):
    monkeypatch.delenv("OTP_YUBIKEY_API_KEY", raising=False)
    out = run("--api-id", str(API_ID), "--url", ykval.url, "--timeout", "2", stdin=API_KEY + "\n")
    assert out == 'Created validation service "default" (1 URL(s)).\n'
    assert API_KEY not in out
    service = ValidationService.objects.get(name="default")
    assert (service.api_id, service.api_key, service.base_url) == (API_ID, API_KEY, ykval.url)
    assert service.param_timeout == 2
    form = YubikeySetupForm(data={"otp": key.otp()}, user=user, state={})
    assert form.is_valid(), form.errors
    assert form.save().service == service


def test_the_key_from_an_environment_variable_and_an_update(monkeypatch):
    monkeypatch.setenv("YK_KEY", API_KEY)
    assert run("--api-id", "7", "--api-key-env", "YK_KEY") == (
        'Created validation service "default" (YubiCloud).\n'
    )
    other = base64.b64encode(b"another api key").decode()
    monkeypatch.setenv("YK_KEY", other)
    out = run(
        "--name", "default", "--api-id", "8", "--api-key-env", "YK_KEY", "--url", "https://a/v"
    )
    assert out == 'Updated validation service "default" (1 URL(s)).\n'
    service = ValidationService.objects.get()
    assert (service.api_id, service.api_key, service.base_url) == (8, other, "https://a/v")
    # The default timeout stays short: the device row is locked while it runs.
    assert service.param_timeout <= 5


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "No API key"),
        ("not base64 at all!\n", r"api_key: The API key must be base64 encoded\.$"),
    ],
)
def test_a_missing_or_bad_key_is_an_error_that_never_echoes_it(monkeypatch, stdin, message):
    monkeypatch.delenv("OTP_YUBIKEY_API_KEY", raising=False)
    with pytest.raises(CommandError, match=message) as error:
        run("--api-id", "1", stdin=stdin)
    if stdin:
        assert stdin.strip() not in str(error.value)
    assert not ValidationService.objects.exists()


def test_a_bad_url_is_an_error(monkeypatch):
    monkeypatch.setenv("OTP_YUBIKEY_API_KEY", API_KEY)
    with pytest.raises(CommandError, match="base_url"):
        run("--api-id", "1", "--url", "ftp://example.invalid/verify")
    assert not ValidationService.objects.exists()

"""Fixtures of two-factor-ui's tests: example-plugin devices and wizard helpers.

These tests need only otp-core, the test-only plugin ``otp_example`` and this
package; tests that need otp-totp / otp-static live in ``integration/``.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from django.urls import reverse

from otp_core import oath

LOGIN = "two_factor:login"
PASSWORD = "correct horse"


def hotp_code(device: Any, offset: int = 0) -> str:
    """The code an ExampleDevice accepts next."""
    return oath.format_token(oath.hotp(bytes.fromhex(device.key), device.counter + offset))


class LoginFlow:
    """Drives the login wizard the way a browser posts it."""

    prefix = "login_view"

    def __init__(self, client: Any, next_url: str | None = None) -> None:
        self.client = client
        self.url = reverse(LOGIN)
        if next_url is not None:
            self.url += f"?next={next_url}"

    def start(self, **headers: Any) -> Any:
        return self.client.get(self.url, **headers)

    def post(self, step: str, fields: dict[str, Any] | None = None, **extra: Any) -> Any:
        data = {f"{self.prefix}-current_step": step}
        for name, value in (fields or {}).items():
            data[f"{step}-{name}"] = value
        data.update(extra)
        return self.client.post(self.url, data)

    def password(self, username: str = "alice", password: str = PASSWORD, **extra: Any) -> Any:
        return self.post("auth", {"username": username, "password": password}, **extra)

    def token(self, code: str, **extra: Any) -> Any:
        return self.post("token", {"otp_token": code}, **extra)

    def backup(self, code: str, **extra: Any) -> Any:
        return self.post("backup", {"otp_token": code}, **extra)


@pytest.fixture
def login_flow(client):
    return LoginFlow(client)


@pytest.fixture
def make_flow():
    """``make_flow(client, next_url=None)``: a LoginFlow for another client or next."""
    return LoginFlow


@pytest.fixture
def code_for():
    """``code_for(device, offset=0)``: the next code an ExampleDevice accepts."""
    return hotp_code


@pytest.fixture
def strip_csrf():
    return without_csrf


@pytest.fixture
def example_device(user):
    from otp_example.models import ExampleDevice

    return ExampleDevice.objects.create(user=user, name="Phone app", key=secrets.token_hex(20))


@pytest.fixture
def challenge_device(user):
    from otp_example.models import ExampleChallengeDevice, outbox

    outbox.clear()
    yield ExampleChallengeDevice.objects.create(user=user, name="Text messages")
    outbox.clear()


def without_csrf(html: str) -> str:
    """Page text with the per-response CSRF token values blanked out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)

"""Fixtures of otp-webauthn's tests: a relying party on https://example.com,
a software authenticator, and JSON calls of the four ceremonies."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.urls import reverse

from .authenticator import ORIGIN, RP_ID, Authenticator


@pytest.fixture(autouse=True)
def relying_party(settings):
    settings.OTP_WEBAUTHN_RP_ID = RP_ID
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]
    settings.OTP_WEBAUTHN_THROTTLE_FACTOR = 0  # a refusal must not delay the next test step


@pytest.fixture
def authenticator() -> Authenticator:
    return Authenticator()


class Ceremonies:
    """POSTs JSON to the ceremonies, as the browser script does (CSRF header included)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def post(self, name: str, body: Any = None, *, raw: bytes | None = None, **extra: Any) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            reverse(f"otp_webauthn:{name}"), data=data, content_type="application/json", **extra
        )

    def begin(self, name: str, body: Any = None) -> dict[str, Any]:
        response = self.post(f"{name}-begin", body)
        assert response.status_code == 200, response.content
        return response.json()

    def register(self, authenticator: Authenticator, *, name: str = "Blue key", **kw: Any) -> Any:
        options = self.begin("register")
        return self.post("register-complete", authenticator.create(options, name=name, **kw))


@pytest.fixture
def ceremonies(client) -> Ceremonies:
    return Ceremonies(client)


@pytest.fixture
def registered(user, client, ceremonies, authenticator):
    """``user`` signed in (password only) with ``authenticator`` registered."""
    client.force_login(user)
    response = ceremonies.register(authenticator)
    assert response.status_code == 200, response.content
    from otp_webauthn.models import WebAuthnDevice

    return WebAuthnDevice.objects.get(user=user)


def fresh_login(client: Any, user: Any) -> None:
    """A new session with only the password factor."""
    client.logout()
    client.force_login(user)


__all__ = ["Ceremonies", "fresh_login", "time"]

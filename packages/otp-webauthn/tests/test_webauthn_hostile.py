"""Hostile bodies: every ceremony answers a JSON 4xx, never a 500."""

from __future__ import annotations

import copy
import json

import pytest
from django.test import Client
from django.urls import reverse

from otp_core.testing import hostile_values

from .authenticator import Authenticator

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "register-begin",
    "register-complete",
    "authenticate-begin",
    "authenticate-complete",
    "signup-begin",
    "signup-complete",
]

RAW_BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"text"',
    b"1e999",
    b"\xff\xfe",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"id": "\\ud800", "rawId": "\\ud800", "response": {}}',
    b'{"id": 1, "rawId": [], "type": {}, "response": []}',
]


def _shapes(answer: dict) -> list:
    """The answer with each field in turn replaced by hostile and wrong-typed values."""
    shapes = []
    values = [None, 0, -1, 2**70, [], {}, True, "", "!!!", "A" * 5000, "\ud800"]
    values += [v.value for v in hostile_values()][:8]
    for key in ("id", "rawId", "type"):
        for value in values:
            shapes.append({**answer, key: value})
    for key in answer["response"]:
        for value in values:
            body = copy.deepcopy(answer)
            body["response"][key] = value
            shapes.append(body)
    return shapes


def _post(client, name, body):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(reverse(f"otp_webauthn:{name}"), data=data, content_type="application/json")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_raw_garbage(name, client, user, settings):
    settings.OTP_WEBAUTHN_SIGNUP = True
    for signed_in in (False, True):
        if signed_in:
            client.force_login(user)
        for raw in RAW_BODIES:
            response = _post(client, name, raw)
            assert 400 <= response.status_code < 500 or response.status_code == 200, raw[:20]
            assert response["Content-Type"] == "application/json"


def test_too_large(client, user):
    client.force_login(user)
    response = _post(client, "authenticate-complete", b"{" + b" " * 70_000 + b"}")
    assert (response.status_code, response.json()["error"]) == (413, "too_large")


def test_get_is_not_allowed(client):
    response = client.get(reverse("otp_webauthn:authenticate-begin"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_csrf_token_is_required():
    from django.middleware.csrf import _get_new_csrf_string

    client = Client(enforce_csrf_checks=True)
    url = reverse("otp_webauthn:authenticate-begin")
    response = client.post(url, data="{}", content_type="application/json")
    assert response.status_code == 403
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.post(
        url, data="{}", content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200


def test_never_cached(client):
    response = _post(client, "authenticate-begin", {})
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_hostile_assertions(registered, authenticator, ceremonies, client):
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options)
    for body in _shapes(answer):
        ceremonies.begin("authenticate")
        response = _post(client, "authenticate-complete", body)
        assert 400 <= response.status_code < 500, (body, response.content)


def test_hostile_passkey_assertions(registered, authenticator, ceremonies, client):
    client.logout()
    options = ceremonies.begin("authenticate")
    answer = authenticator.get(options)
    for body in _shapes(answer):
        ceremonies.begin("authenticate")
        response = _post(client, "authenticate-complete", body)
        assert 400 <= response.status_code < 500, (body, response.content)


def test_hostile_registrations(user, client, ceremonies):
    client.force_login(user)
    options = ceremonies.begin("register")
    answer = Authenticator().create(options)
    for body in _shapes(answer):
        ceremonies.begin("register")
        response = _post(client, "register-complete", body)
        assert 400 <= response.status_code < 500, (body, response.content)

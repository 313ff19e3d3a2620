"""Eight connections racing with one assertion: accepted at most once.

Run on PostgreSQL (``tools/dbserver.py postgres``), where the device row lock
and the challenge row's delete serialise the racers; on SQLite the write lock does.
"""

from __future__ import annotations

import secrets

import pytest
from django.db import connection
from django.test import Client

from otp_core.testing import race
from otp_core.verification import verify
from otp_webauthn.assertion import AssertionToken
from otp_webauthn.models import WebAuthnDevice

from .authenticator import Authenticator, b64
from .conftest import Ceremonies

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 5


def test_one_assertion_is_accepted_once_by_the_verification_path(registered, authenticator):
    """The device row lock: the counter moves exactly once per assertion, no clone alarm."""
    for round_ in range(ROUNDS):
        challenge = secrets.token_bytes(32)
        answer = authenticator.get({"challenge": b64(challenge)})

        def attempt(i: int, answer=answer, challenge=challenge, pk=registered.pk):
            token = AssertionToken(
                answer, expected_challenge=challenge, require_user_verification=False
            )
            return verify(WebAuthnDevice.objects.get(pk=pk), token).reason, token.refusal

        outcomes = race(THREADS, attempt)
        assert sorted(outcomes, key=str) == sorted(
            [(None, None)] + [("mismatch", "no_challenge")] * (THREADS - 1), key=str
        )
        registered.refresh_from_db()
        assert registered.sign_count == round_ + 1
        assert not registered.clone_suspected
    print(f"\n[{connection.vendor}] {ROUNDS} assertions x {THREADS} connections: one each")


@pytest.mark.parametrize("counter", [False, True], ids=["synced-no-counter", "device-bound"])
def test_one_passkey_assertion_signs_in_once_over_http(counter, user, client, ceremonies):
    """With or without a counter: one sign-in, and the losers raise no clone alarm."""
    key = Authenticator(synced=not counter, counter=counter)
    client.force_login(user)
    assert ceremonies.register(key).status_code == 200
    client.logout()
    for _round in range(ROUNDS):
        options = ceremonies.begin("authenticate")
        answer = key.get(options)
        cookie = client.cookies["sessionid"].value

        def attempt(i: int, answer=answer, cookie=cookie) -> int:
            racer = Client()
            racer.cookies["sessionid"] = cookie
            return Ceremonies(racer).post("authenticate-complete", answer).status_code

        statuses = race(THREADS, attempt)
        assert sorted(statuses) == [200] + [400] * (THREADS - 1)
    device = WebAuthnDevice.objects.get()
    assert device.sign_count == (ROUNDS if counter else 0)
    assert not device.clone_suspected
    print(
        f"\n[{connection.vendor}] {ROUNDS} passkey assertions x {THREADS} clients: one sign-in each"
    )

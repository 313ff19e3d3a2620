"""A sign-in by one device alone (a passkey with user verification) is told apart.

``otp_core.login(..., passwordless=True)`` records it; the session keeps the
mark, ``request.otp.passwordless`` and ``Policy(passwordless=...)`` read it.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore

import otp_core
from otp_core.middleware import OTPMiddleware
from otp_core.policy import Policy
from otp_core.session import (
    VERIFICATIONS_SESSION_KEY,
    Verification,
    record_verification,
    stored_verifications,
)

pytestmark = pytest.mark.django_db


def test_record_keeps_the_mark_and_old_entries_read_as_not_passwordless(device):
    session = SessionStore()
    record_verification(session, device, passwordless=True)
    [entry] = session[VERIFICATIONS_SESSION_KEY]
    assert entry["p"] is True
    assert stored_verifications(session)[0].passwordless
    record_verification(session, device)
    assert "p" not in session[VERIFICATIONS_SESSION_KEY][0]
    session[VERIFICATIONS_SESSION_KEY] = [{"d": device.persistent_id, "k": "otp", "t": 1.0}]
    assert not stored_verifications(session)[0].passwordless
    session[VERIFICATIONS_SESSION_KEY] = [{"d": device.persistent_id, "k": "otp", "t": 1, "p": 1}]
    assert not stored_verifications(session)[0].passwordless  # only a real True counts


def test_policy_tells_passkey_sign_in_from_password_plus_device():
    now = time.time()
    passkey = Verification("a/1", "hwk", now, passwordless=True)
    second = Verification("a/1", "hwk", now)
    assert Policy().accepts(passkey, now)
    assert Policy().accepts(second, now)
    assert Policy(passwordless=True).accepts(passkey, now)
    assert not Policy(passwordless=True).accepts(second, now)
    assert Policy(passwordless=False).accepts(second, now)
    assert not Policy(passwordless=False).accepts(passkey, now)


def test_login_records_passwordless_and_request_otp_reads_it(rf, user, device):
    request = rf.get("/")
    request.session = SessionStore()
    request.session.create()
    request.user = user
    OTPMiddleware(lambda r: None)(request)
    otp_core.login(request, device, passwordless=True)
    assert request.otp.passwordless
    assert request.otp.satisfies(Policy(passwordless=True))
    assert not request.otp.satisfies(Policy(passwordless=False))
    otp_core.login(request, device)
    assert not request.otp.passwordless

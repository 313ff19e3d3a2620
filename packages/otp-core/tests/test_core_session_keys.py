"""``login_user``: Django's login() with one new session key, written once."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext

from otp_core.middleware import OTPMiddleware
from otp_core.session_keys import login_user

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def drawn(monkeypatch):
    """Session keys drawn (a spy on the real generator)."""
    keys = []
    real = SessionBase._get_new_session_key

    def spy(self):  # type: ignore[no-untyped-def]
        keys.append(real(self))
        return keys[-1]

    monkeypatch.setattr(SessionBase, "_get_new_session_key", spy)
    return keys


def _request(rf, session):
    request = rf.get("/")
    request.session = session
    request.user = None
    OTPMiddleware(lambda r: None)(request)  # notes the key the request came with
    return request


def test_one_key_and_one_write_for_database_sessions(rf, user, drawn):
    session = SessionStore()
    session["kept"] = "yes"
    session.create()
    old_key = session.session_key
    request = _request(rf, session)
    drawn.clear()
    with CaptureQueriesContext(connection) as ctx:
        login_user(request, user, backend=BACKEND)
        request.session.save()  # what SessionMiddleware does at the end
    assert len(drawn) == 1
    assert request.session.session_key not in (None, old_key)
    assert not SessionStore().exists(old_key)
    saved = SessionStore(session_key=request.session.session_key).load()
    assert saved["kept"] == "yes"
    assert saved[SESSION_KEY] == str(user.pk)
    session_writes = [
        q["sql"].split()[0].upper()
        for q in ctx.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert session_writes == ["DELETE", "INSERT"]
    assert "cycle_key" not in vars(request.session)  # Django's own method is back


def test_django_login_still_runs_its_signal_and_csrf_rotation(rf, user):
    seen = []

    def receiver(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(user.pk)

    user_logged_in.connect(receiver)
    try:
        session = SessionStore()
        session.create()
        request = _request(rf, session)
        request.META["CSRF_COOKIE"] = "x" * 64
        login_user(request, user, backend=BACKEND)
    finally:
        user_logged_in.disconnect(receiver)
    assert seen == [user.pk]
    assert request.META["CSRF_COOKIE"] != "x" * 64


def test_another_users_session_is_flushed(rf, user, other_user):
    session = SessionStore()
    session.create()
    request = _request(rf, session)
    login_user(request, other_user, backend=BACKEND)
    request.session["other's"] = "data"
    request.session.save()
    request = _request(rf, request.session)
    login_user(request, user, backend=BACKEND)
    assert "other's" not in request.session
    assert request.session[SESSION_KEY] == str(user.pk)


def test_other_backends_cycle_once(rf, user, drawn, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    session = CacheSessionStore()
    session.create()
    old_key = session.session_key
    request = _request(rf, session)
    drawn.clear()
    login_user(request, user, backend=BACKEND)
    assert len(drawn) == 1
    assert request.session.session_key != old_key
    assert not CacheSessionStore().exists(old_key)

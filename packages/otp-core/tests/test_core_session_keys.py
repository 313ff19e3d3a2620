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


def test_one_key_and_one_write_for_database_sessions(rf, user):
    session = SessionStore()
    session["kept"] = "yes"
    session.create()
    old_key = session.session_key
    request = _request(rf, session)
    with CaptureQueriesContext(connection) as ctx:
        login_user(request, user, backend=BACKEND)
        request.session.save()  # what SessionMiddleware does at the end
    assert request.session.session_key not in (None, old_key)
    assert not SessionStore().exists(old_key)
    saved = SessionStore(session_key=request.session.session_key).load()
    assert saved["kept"] == "yes"
    assert saved[SESSION_KEY] == str(user.pk)
    # One new key, one row written: no SELECT asking whether the key is taken.
    session_statements = [
        q["sql"].split()[0].upper() for q in ctx.captured_queries if "django_session" in q["sql"]
    ]
    assert session_statements == ["DELETE", "INSERT"]
    assert "cycle_key" not in vars(request.session)  # Django's own method is back


def test_a_taken_key_fails_the_insert_and_another_is_drawn(rf, user, monkeypatch):
    from otp_core import session_keys

    taken = SessionStore()
    taken["someone"] = "else"
    taken.create()
    fresh = "k" * 32
    keys = iter([taken.session_key, fresh])
    monkeypatch.setattr(session_keys, "get_random_string", lambda length, chars: next(keys))
    session = SessionStore()
    session.create()
    request = _request(rf, session)
    login_user(request, user, backend=BACKEND)
    request.session.save()
    assert request.session.session_key == fresh
    assert SessionStore(session_key=taken.session_key).load() == {"someone": "else"}
    assert SessionStore(session_key=fresh).load()[SESSION_KEY] == str(user.pk)


class _OwnKeys(SessionStore):
    """A backend with its own key format: its own drawing is kept."""

    def _get_new_session_key(self) -> str:
        while True:
            key = "own" + SessionStore._get_new_session_key(self)[3:]
            if not self.exists(key):
                return key


def test_a_backend_that_draws_its_own_keys_keeps_them(rf, user):
    session = _OwnKeys()
    session.create()
    request = _request(rf, session)
    login_user(request, user, backend=BACKEND)
    request.session.save()
    assert "create" not in vars(request.session)
    assert request.session.session_key.startswith("own")


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

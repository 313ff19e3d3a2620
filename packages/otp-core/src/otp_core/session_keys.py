"""One new session key per privilege change, not one per function that logs in.

A sign-in gains privilege twice (the password, then the second factor) and
each time the session must get a new key, so a key an attacker planted
before is worth nothing (session fixation). Django's ``auth.login()`` cycles
the key itself; ``otp_core.login()`` and the login wizard run in the same
response, and cycling again there writes and deletes session rows for no
security gain: the key is already one the server drew in this request.

:class:`~otp_core.middleware.OTPMiddleware` notes the key each request came
with; :func:`rotate_session_key` cycles only while the session still has it.
:func:`login_user` is Django's ``login()`` on that footing: the key is drawn
once, when the session is saved, rather than inserted under a new key, read
back to delete the old row, and updated again at the end of the response;
and that INSERT is not preceded by a query asking whether the key is taken
(the INSERT itself fails then, and another key is drawn).
"""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING, Any

from django.contrib import auth
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, SessionBase
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import router
from django.utils.crypto import get_random_string

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["login_user", "note_incoming_key", "rotate_session_key", "rotated_in_this_request"]

#: Request attribute holding the session key the request arrived with.
_INCOMING = "_otp_incoming_session_key"
#: Request attribute set once :func:`rotate_session_key` has dropped the key.
_ROTATED = "_otp_session_rotated"
_UNKNOWN = object()


def note_incoming_key(request: HttpRequest) -> None:
    """Remember the session key ``request`` came with (once; reads no session data)."""
    if _INCOMING in request.__dict__:
        return
    session = getattr(request, "session", None)
    # session_key is the cookie's value until the session is loaded: no query.
    request.__dict__[_INCOMING] = getattr(session, "session_key", None)


def rotated_in_this_request(request: HttpRequest) -> bool:
    """Does the session already have a key the server drew during this request?

    True when its key differs from the one the request came with: only the
    server makes a new key (``create()``, ``cycle_key()``, ``flush()``), so
    it is none the client could have chosen. False when unknown (the request
    never passed the middleware): the caller then cycles, the safe choice.
    """
    if request.__dict__.get(_ROTATED):
        return True
    session: Any = getattr(request, "session", None)
    incoming = request.__dict__.get(_INCOMING, _UNKNOWN)
    if session is None or incoming is _UNKNOWN:
        return False
    current = session.session_key
    return current is not None and current != incoming


def rotate_session_key(request: HttpRequest) -> bool:
    """Give the session a new key unless it already got one in this request.

    Returns True when it cycled the key. Call it where a request gains
    privilege (a factor verified); the session data moves to the new key and
    the old key stops working.
    """
    if rotated_in_this_request(request):
        return False
    session: Any = request.session  # type: ignore[attr-defined]
    if isinstance(session, DatabaseSessionStore):
        _cycle_on_save(session)
    else:
        session.cycle_key()
    request.__dict__[_ROTATED] = True
    return True


def login_user(request: HttpRequest, user: Any, backend: str | None = None) -> None:
    """Django's ``auth.login()`` with one new session key, drawn as cheaply as the backend allows.

    The key is rotated here (:func:`rotate_session_key`: for database sessions
    the old row is deleted and the new key drawn when the response saves the
    session), so ``login()``'s own ``cycle_key()`` would only draw a second
    key in the same response; it is skipped while ``login()`` runs.
    Everything else of ``login()`` stays: the user in the session, the CSRF
    token rotated, ``user_logged_in`` sent, and a session of another user
    flushed.
    """
    rotate_session_key(request)
    session: Any = request.session  # type: ignore[attr-defined]
    try:
        session.cycle_key = _already_rotated
    except AttributeError:  # a session object that takes no attributes: cycle twice
        auth.login(request, user, backend=backend)
        return
    try:
        auth.login(request, user, backend=backend)
    finally:
        del session.cycle_key


def _already_rotated() -> None:
    """``cycle_key()`` of a session whose key was drawn in this request: nothing to do."""


def _cycle_on_save(session: DatabaseSessionStore) -> None:
    """``cycle_key()`` for database sessions, with the new row written once.

    ``cycle_key()`` inserts a row under a new key at once, then the response
    updates it; here the old row is deleted now and the key is dropped, as
    ``flush()`` does but keeping the data, so the session's save at the end of
    the response inserts it under a new random key: one write instead of two.
    """
    session.keys()  # load the data while the old key can still read it
    old_key = session.session_key
    session._session_key = None  # as flush() does: save() draws a new key
    session.modified = True
    if _draws_keys_as_django_does(session):
        # A session object that takes no attributes keeps Django's create().
        with contextlib.suppress(AttributeError):
            session.create = functools.partial(_insert_under_new_key, session)
    if old_key:
        if type(session).delete is DatabaseSessionStore.delete:
            # One DELETE; the backend's own delete() reads the row first.
            model = session.model
            rows = model._default_manager.filter(session_key=old_key)
            rows._raw_delete(using=router.db_for_write(model))
        else:
            session.delete(old_key)


def _draws_keys_as_django_does(session: DatabaseSessionStore) -> bool:
    """Does ``session`` draw and insert its keys with Django's own code?"""
    kind = type(session)
    return (
        kind.create is DatabaseSessionStore.create
        and kind._get_new_session_key is SessionBase._get_new_session_key
    )


def _insert_under_new_key(session: DatabaseSessionStore) -> None:
    """``create()`` of database sessions without the ``exists()`` query before the INSERT.

    Django draws a random key, asks whether a row has it, then inserts with
    ``must_create=True``, and draws again if that INSERT fails because the
    key was taken in between. The INSERT alone decides (the key is the
    table's primary key), so the question is one statement per new session
    that changes nothing: a key already in use (never seen with 32 random
    characters) still fails the INSERT and another is drawn.
    """
    while True:
        session._session_key = get_random_string(32, VALID_KEY_CHARS)
        try:
            session.save(must_create=True)
        except CreateError:
            continue
        session.modified = True
        return

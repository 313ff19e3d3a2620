"""Signed-in browsers: authentication state that does not live in the session alone.

Every sign-in (Django's ``user_logged_in``) gives the session a random id and
a :class:`~otp_core.models.SignedInBrowser` row holding its digest. What a
session has verified stays in the session (:mod:`otp_core.session`), but it
counts only while that row exists: the first question a request asks about
two-factor reads the session's devices and the row in one query
(:func:`otp_core.session.OTPState`), and a session whose row is gone is
signed out there and then. So "sign out that browser" works with every
``SESSION_ENGINE``, signed cookies included.

Writes are gathered per request: :class:`~otp_core.middleware.OTPMiddleware`
writes a request's row once, after the view (a sign-in inserts it with the
password and the second factor already in it). Without the middleware (a
test client's ``force_login()``) they are written at once.

What changes elsewhere reaches every browser of the user: a deleted device
drops out of each row's copy of the verifications (the session's own check
refuses it anyway), turning two-factor off drops every device verification,
and a password change makes the other rows stale (Django ends those
sessions) and forgets remembered browsers.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import secrets
from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import IntegrityError, router, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .deferred import moved
from .session import VERIFICATIONS_SESSION_KEY
from .user_agents import describe_user_agent

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import SignedInBrowser

__all__ = [
    "BROWSER_SESSION_KEY",
    "SEEN_INTERVAL",
    "adopt",
    "connect",
    "digest",
    "flush",
    "ip_prefix",
    "is_this_browser",
    "note_change",
    "password_stamp",
    "remember",
    "row_state",
    "row_state_sql",
    "session_secret",
    "sign_out",
]

#: Session key holding this browser's random id (its row stores the digest).
BROWSER_SESSION_KEY = "otp_browser"
#: Seconds between two updates of a row's ``last_seen_at``.
SEEN_INTERVAL = 300

#: request.__dict__ keys: the row write waiting for the end of the response,
#: whether the middleware will make it, and a row found gone in this request.
_PENDING = "_otp_browser_pending"
_DEFERRED = "_otp_browser_deferred"
_GONE = "_otp_browser_gone"


def digest(secret: str) -> str:
    """What a row stores of the session's id: a copy of the table opens no session."""
    return hashlib.sha256(secret.encode()).hexdigest()


def password_stamp(user: Any) -> str:
    """Changes whenever ``user``'s password hash changes; reveals nothing about it."""
    return hashlib.sha256(("otp_core.browsers:" + (user.password or "")).encode()).hexdigest()


def ip_prefix(request: HttpRequest | None) -> str:
    """``REMOTE_ADDR`` with its host part zeroed (IPv4 /24, IPv6 /48); "" if unknown.

    Only the address the server saw: a forwarded-for header is the client's
    word, and a site behind a proxy sets ``REMOTE_ADDR`` itself.
    """
    raw = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    try:
        address = ipaddress.ip_address(str(raw).strip())
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    bits = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


def session_secret(session: Any) -> str | None:
    """This browser's random id from ``session``, or None."""
    value = session.get(BROWSER_SESSION_KEY) if session is not None else None
    return value if isinstance(value, str) and value else None


class _Pending:
    """The row write a request makes once, at its end."""

    __slots__ = ("create", "fields", "secret", "user_pk")

    def __init__(
        self, secret: str, user_pk: Any, create: bool, fields: dict[str, Any] | None = None
    ) -> None:
        self.secret = secret
        self.user_pk = user_pk
        self.create = create
        self.fields: dict[str, Any] = {} if fields is None else fields


def defer_writes(request: HttpRequest) -> None:
    """Called by the middleware: it writes this request's row after the view."""
    request.__dict__[_DEFERRED] = True


def _queue(request: HttpRequest, pending: _Pending) -> None:
    request.__dict__[_PENDING] = pending
    if not request.__dict__.get(_DEFERRED):
        flush(request)


def _pending_for(request: HttpRequest) -> _Pending | None:
    pending = request.__dict__.get(_PENDING)
    if pending is not None:
        return pending
    user = getattr(request, "user", None)
    secret = session_secret(getattr(request, "session", None))
    if secret is None or user is None or not user.is_authenticated:
        return None
    return _Pending(secret, user.pk, create=False)


def note_change(request: HttpRequest, **fields: Any) -> None:
    """The session's verifications changed (or ``fields`` of its row should):
    write the row's copy at the end of the request."""
    pending = _pending_for(request)
    if pending is not None:
        pending.fields.update(fields)
        _queue(request, pending)


def flush(request: HttpRequest, *, final: bool = False) -> None:
    """Write the row change this request gathered, if any (one statement).

    ``final``: the middleware's call after the view; later changes (code
    that runs after the response) are written at once.
    """
    if final:
        request.__dict__.pop(_DEFERRED, None)
    pending = request.__dict__.pop(_PENDING, None)
    if pending is None:
        return  # most requests: nothing gathered
    session = getattr(request, "session", None)
    if session is None or session_secret(session) != pending.secret:
        return  # signed out (or in as someone else) since
    from .models import SignedInBrowser

    now = timezone.now()
    values: dict[str, Any] = {
        "verifications": list(session.get(VERIFICATIONS_SESSION_KEY) or []),
        "last_seen_at": now,
        "ip_prefix": ip_prefix(request),
        **pending.fields,
    }
    if pending.create:
        agent = request.META.get("HTTP_USER_AGENT", "")
        try:
            with transaction.atomic(using=router.db_for_write(SignedInBrowser)):
                SignedInBrowser.objects.create(
                    user_id=pending.user_pk,
                    key_digest=digest(pending.secret),
                    created_at=now,
                    user_agent=describe_user_agent(agent),
                    **values,
                )
        except IntegrityError:
            # The user was deleted meanwhile: no row, so the session counts for nothing.
            return
    else:
        SignedInBrowser.objects.filter(
            key_digest=digest(pending.secret), user_id=pending.user_pk
        ).update(**values)


def _delete(rows: Any) -> int:
    """Delete ``rows`` in one statement; return how many went.

    Nothing points at a row and it sends no signal of its own, so Django's
    collector (a SELECT first, because other apps listen to every
    ``post_delete``) has nothing to do.
    """
    return int(rows._raw_delete(router.db_for_write(rows.model)) or 0)


# -- sign-in and sign-out --------------------------------------------------------


def start(request: HttpRequest | None, user: Any) -> None:
    """A sign-in: a new id for this browser and, at the end of the request, its row."""
    session = getattr(request, "session", None)
    if request is None or session is None or getattr(user, "pk", None) is None:
        return
    old = session_secret(session)
    if old is not None:
        _end(old, user.pk)  # signed in again: the earlier row goes (or stays remembered)
    request.__dict__.pop(_GONE, None)
    _new_row(request, user)


def _new_row(request: HttpRequest, user: Any) -> None:
    """A new random id in the session; its row is inserted at the end of the request."""
    secret = secrets.token_urlsafe(32)
    request.session[BROWSER_SESSION_KEY] = secret  # type: ignore[attr-defined]
    stamp = {"password_stamp": password_stamp(user)}
    _queue(request, _Pending(secret, user.pk, create=True, fields=stamp))


def adopt(request: HttpRequest, user: Any, secret: str, **fields: Any) -> None:
    """Make this session the one of an existing row of ``user`` (a remembered browser).

    The row the sign-in would have inserted is not; the remembered row is
    signed in again instead.
    """
    session = request.session  # type: ignore[attr-defined]
    if secret == session_secret(session):
        return
    session[BROWSER_SESSION_KEY] = secret
    _queue(request, _Pending(secret, user.pk, create=False, fields={"signed_in": True, **fields}))


def remember(request: HttpRequest, device_id: str) -> str | None:
    """Mark this browser remembered through ``device_id``; return its id (for a cookie)."""
    pending = _pending_for(request)
    if pending is None:
        return None
    note_change(request, remembered_at=timezone.now(), remembered_device_id=device_id)
    return pending.secret


def _end(secret: str, user_pk: Any) -> None:
    from .models import SignedInBrowser

    rows = SignedInBrowser.objects.filter(key_digest=digest(secret), user_id=user_pk)
    # A remembered browser stays known (signed out, its verifications gone).
    rows.filter(remembered_at__isnull=False).update(signed_in=False, verifications=[])
    _delete(rows.filter(remembered_at__isnull=True))


def _logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    secret = session_secret(session)
    if request is not None:
        request.__dict__.pop(_PENDING, None)
    if secret is None or user is None or request.__dict__.get(_GONE):
        return
    _end(secret, user.pk)


def _logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    start(request, user)


def sign_out(user: Any, pk: Any) -> bool:
    """Sign ``user``'s browser ``pk`` out (its row goes); False if there was none."""
    from .models import SignedInBrowser

    rows = SignedInBrowser.objects.filter(user_id=user.pk, pk=pk)
    return bool(_delete(rows))


# -- the check (called by OTPState) ----------------------------------------------


def written_here(request: HttpRequest, secret: str) -> bool:
    """Is this request about to write the row of ``secret`` (a sign-in, a resumed
    remembered browser)? Then the row needs no check: this request made it."""
    pending = request.__dict__.get(_PENDING)
    return (
        pending is not None
        and pending.secret == secret
        and (pending.create or pending.fields.get("signed_in") is True)
    )


def gone(request: HttpRequest, user: Any) -> None:
    """This session's row is gone: sign the session out now."""
    from django.contrib.auth import logout

    from .middleware import attach

    request.__dict__[_GONE] = True
    request.__dict__.pop(_PENDING, None)
    logout(request)
    # request.user is AnonymousUser now: give it is_verified() and otp_device too.
    attach(request, request.user)  # type: ignore[attr-defined]


def adopt_session(request: HttpRequest, user: Any) -> None:
    """A signed-in session without a row (from before this version): give it one."""
    _new_row(request, user)


def is_this_browser(request: HttpRequest, row: SignedInBrowser) -> bool:
    """Is ``row`` the one of ``request``'s session?"""
    secret = session_secret(getattr(request, "session", None))
    return secret is not None and row.key_digest == digest(secret)


def row_state_sql(connection: Any, browser: str, user_pk: Any) -> tuple[str, tuple]:
    """SQL and values of a subquery giving the signed-in row's state: NULL when
    there is none, else 1 when its ``last_seen_at`` is due for a refresh, 0 when not.

    Added to the device query (:mod:`otp_core.device_query`) as raw SQL, its
    text built once per database; the time comparison is a value, adapted
    for ``connection`` as the ORM adapts a ``DateTimeField``'s.
    """
    from .models import SignedInBrowser

    sql = _ROW_STATE_SQL.get(connection.alias)
    if sql is None:
        quote = connection.ops.quote_name
        column = {f.name: quote(f.column) for f in SignedInBrowser._meta.concrete_fields}
        # Only quoted names from the model's own metadata; every value is a parameter.
        sql = _ROW_STATE_SQL[connection.alias] = (
            f"SELECT CASE WHEN {column['last_seen_at']} < %s THEN 1 ELSE 0 END"  # noqa: S608
            f" FROM {quote(SignedInBrowser._meta.db_table)}"
            f" WHERE {column['key_digest']} = %s AND {column['user']} = %s"
            f" AND {column['signed_in']} = %s"
        )
    due_before = timezone.now() - datetime.timedelta(seconds=SEEN_INTERVAL)
    field = SignedInBrowser._meta.get_field("last_seen_at")
    return sql, (field.get_db_prep_value(due_before, connection), browser, user_pk, True)


_ROW_STATE_SQL: dict[str, str] = {}


def row_state(browser: str, user_pk: Any) -> bool | None:
    """:func:`row_state_sql`'s answer on its own, for a session whose devices are
    all gone: None (no signed-in row) or whether it is due for a refresh."""
    from django.db import connections

    from .models import SignedInBrowser

    connection = connections[router.db_for_read(SignedInBrowser)]
    sql, params = row_state_sql(connection, browser, user_pk)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({sql})", params)
        (value,) = cursor.fetchone()
    return None if value is None else bool(value)


# -- what changes elsewhere (the work is in otp_core.browser_list) ----------------


def _device_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Sent for every deleted row of every model: decide here, cheaply.
    from .models import Device

    if isinstance(instance, Device) and instance.pk is not None:
        from .browser_list import device_deleted

        device_deleted(instance)


def _two_factor_disabled(sender: Any, user: Any, **kwargs: Any) -> None:
    from .browser_list import two_factor_disabled

    two_factor_disabled(user)


def _password_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    # Sent for every saved user (a sign-in saves last_login). set_password()
    # keeps the raw password in ``_password`` until save() has run: only then
    # does this save change the password.
    if created or getattr(instance, "_password", None) is None:
        return
    from .browser_list import password_changed

    password_changed(instance)


def connect() -> None:
    """Connect the receivers (idempotent: each has a ``dispatch_uid``)."""
    from django.contrib.auth import get_user_model

    from . import signals

    user_logged_in.connect(_logged_in, dispatch_uid="otp_core.browsers.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="otp_core.browsers.logged_out")
    post_delete.connect(_device_deleted, dispatch_uid="otp_core.browsers.device_deleted")
    signals.two_factor_disabled.connect(
        _two_factor_disabled, dispatch_uid="otp_core.browsers.two_factor_disabled"
    )
    post_save.connect(
        _password_saved, sender=get_user_model(), dispatch_uid="otp_core.browsers.password_saved"
    )


# The account page's listing lives in otp_core.browser_list; still importable from here.
__getattr__ = moved(
    __name__, dict.fromkeys(("browsers_for", "forget_remembered"), "otp_core.browser_list")
)

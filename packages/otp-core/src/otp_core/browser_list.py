"""A user's browsers as the account page lists them, and what other changes do to them.

:func:`browsers_for` lists the signed-in and remembered browsers (and
deletes the rows that can no longer stand for a session);
:func:`forget_remembered` un-remembers rows; and the work of the receivers
:mod:`otp_core.browsers` connects: a deleted device, two-factor turned off,
a changed password. Loaded when one of these happens, not by a sign-in.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from .browsers import _delete, digest, password_stamp, session_secret
from .session import PASSWORD_ID

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Device, SignedInBrowser

__all__ = [
    "browsers_for",
    "device_deleted",
    "forget_remembered",
    "password_changed",
    "two_factor_disabled",
]


def browsers_for(
    request: HttpRequest, user: Any, remember_age: int | None = None
) -> list[SignedInBrowser]:
    """``user``'s signed-in and remembered browsers, this one first (``current`` set).

    Rows that can no longer stand for a session are deleted on the way: a
    session older than ``SESSION_COOKIE_AGE`` since last seen, one from
    before a password change (Django has ended it), a remembered browser
    older than ``remember_age`` (seconds; None: nothing is remembered).
    Each row gets ``current``, ``remembered`` (still valid) and ``factors``
    (``(device id, kind, datetime)`` of its copy of the verifications).
    """
    from .models import SignedInBrowser

    now = timezone.now()
    session_age = datetime.timedelta(seconds=int(settings.SESSION_COOKIE_AGE))
    stamp = password_stamp(user)
    current_digest = None
    secret = session_secret(getattr(request, "session", None))
    if secret is not None:
        current_digest = digest(secret)
    kept, stale = [], []
    for row in SignedInBrowser.objects.filter(user_id=user.pk):
        row.current = row.key_digest == current_digest  # type: ignore[attr-defined]
        row.remembered = bool(  # type: ignore[attr-defined]
            row.remembered_at is not None
            and remember_age is not None
            and row.remembered_at > now - datetime.timedelta(seconds=int(remember_age))
        )
        if row.current:
            if row.password_stamp != stamp:
                row.password_stamp = stamp  # this session survived the change
                row.save(update_fields=["password_stamp"])
            kept.append(row)
            continue
        live = (
            row.signed_in
            and row.last_seen_at > now - session_age
            and (row.password_stamp in ("", stamp))
        )
        if not live and not row.remembered:  # type: ignore[attr-defined]
            stale.append(row.pk)
            continue
        if not live and row.signed_in:
            row.signed_in = False
        kept.append(row)
    if stale:
        rows = SignedInBrowser.objects.filter(user_id=user.pk, pk__in=stale)
        _delete(rows)
    for row in kept:
        row.factors = _factors(row.verifications if row.signed_in else [])  # type: ignore[attr-defined]
    kept.sort(key=lambda r: (not r.current, -r.last_seen_at.timestamp()))  # type: ignore[attr-defined]
    return kept


def _factors(raw: Any) -> list[tuple[str, str, datetime.datetime]]:
    found = []
    for item in raw if isinstance(raw, list) else []:
        try:
            at = datetime.datetime.fromtimestamp(float(item["t"]), tz=datetime.timezone.utc)
            found.append((str(item["d"]), str(item["k"]), at))
        except (KeyError, TypeError, ValueError, OverflowError, OSError):
            continue
    return found


# -- what changes elsewhere ------------------------------------------------------


def forget_remembered(rows: Any) -> int:
    """Forget the remembered browsers among ``rows``; return how many.

    A row whose session has ended goes; a signed-in one stays, no longer
    remembered.
    """
    remembered = rows.filter(remembered_at__isnull=False)
    return _delete(remembered.filter(signed_in=False)) + remembered.update(
        remembered_at=None, remembered_device_id=""
    )


def _drop_devices(user_pk: Any, device_ids: set[str] | None) -> None:
    """Drop verifications of ``device_ids`` (None: every device) from each row's copy."""
    from .models import SignedInBrowser

    for row in SignedInBrowser.objects.filter(user_id=user_pk).only("pk", "verifications"):
        raw = row.verifications if isinstance(row.verifications, list) else []
        kept = [
            item
            for item in raw
            if isinstance(item, dict)
            and (
                item.get("d") == PASSWORD_ID
                if device_ids is None
                else item.get("d") not in device_ids
            )
        ]
        if kept != raw:
            SignedInBrowser.objects.filter(pk=row.pk).update(verifications=kept)


def device_deleted(instance: Device) -> None:
    """A device row was deleted: its verifications and remembered browsers go."""
    from .models import SignedInBrowser

    persistent_id = instance.persistent_id
    _drop_devices(instance.user_id, {persistent_id})
    forget_remembered(
        SignedInBrowser.objects.filter(user_id=instance.user_id, remembered_device_id=persistent_id)
    )


def two_factor_disabled(user: Any) -> None:
    """Two-factor was turned off: no browser keeps a device's verification or is remembered."""
    from .models import SignedInBrowser

    _drop_devices(user.pk, None)
    forget_remembered(SignedInBrowser.objects.filter(user_id=user.pk))


def password_changed(user: Any) -> None:
    """``user``'s password changed: no browser stays remembered."""
    from .models import SignedInBrowser

    forget_remembered(SignedInBrowser.objects.filter(user_id=user.pk))

"""Sessions verified under django-otp keep counting after the switch (one release).

django-otp keeps the verified device's persistent id under ``otp_device_id``
in the session, e.g. ``otp_totp.totpdevice/3`` (``phonenumber.phonedevice/3``
for django-two-factor-auth's phones). After ``otp_import_django_otp`` that
names the device imported from row 3 of ``otp_totp_totpdevice``: if it is the
session user's and still confirmed, the session counts as verified by it, and
the session is rewritten in this package's format on that first use (the
time of the old verification is unknown, so it is recorded as the epoch: a
policy with a maximum age asks again). ``OTP_LEGACY_SESSIONS = False`` turns
this off; it goes away in the next minor release.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps

from .conf import otp_settings

__all__ = [
    "LEGACY_DEVICE_ID_KEY",
    "SESSION_LABELS",
    "adopt_legacy_session",
    "imported_device",
    "legacy_ids",
]

#: django-otp's session key (the same name as ours: the value tells them apart).
LEGACY_DEVICE_ID_KEY = "otp_device_id"
_MAX_PK_DIGITS = 18  # within a signed 64-bit integer
#: Every ``session_labels`` entry of :data:`otp_core.legacy_tables.CATALOGUE`,
#: spelled out so that a request tells our ids from django-otp's without
#: loading the catalogue (a test keeps the two equal).
SESSION_LABELS: frozenset[str] = frozenset(
    {
        "otp_totp.totpdevice",
        "otp_hotp.hotpdevice",
        "otp_static.staticdevice",
        "otp_email.emaildevice",
        "phonenumber.phonedevice",
        "two_factor.phonedevice",
        "otp_yubikey.yubikeydevice",
        "otp_yubikey.remoteyubikeydevice",
    }
)


def _parse(persistent_id: Any) -> tuple[str, int] | None:
    """``(label, pk)`` of a django-otp persistent id, or None."""
    if not isinstance(persistent_id, str) or persistent_id.count("/") != 1:
        return None
    label, pk = persistent_id.split("/")
    if not (pk.isascii() and pk.isdigit() and len(pk) <= _MAX_PK_DIGITS):
        return None
    if label.count(".") > 1:
        # Old django-otp stored import paths: "django_otp.plugins.otp_totp.models.TOTPDevice".
        parts = label.split(".")
        label = f"{parts[-3]}.{parts[-1]}"
    return label.lower(), int(pk)


def imported_device(persistent_id: Any, user: Any) -> Any:
    """``user``'s confirmed device imported from the row django-otp's id names, or None."""
    parsed = _parse(persistent_id)
    if parsed is None or user is None or getattr(user, "pk", None) is None:
        return None
    # The catalogue (and the import code it pulls in) only for a django-otp id.
    from .legacy_tables import by_session_label

    entry = by_session_label(parsed[0])
    if entry is None:
        return None
    try:
        model = apps.get_model(entry.model)
    except (LookupError, ValueError):
        return None
    return model._default_manager.filter(
        django_otp_id=parsed[1], user_id=user.pk, confirmed=True
    ).first()


def legacy_ids(device: Any) -> tuple[str, ...]:
    """The django-otp persistent ids ``device`` had before its import (none if not imported)."""
    source = getattr(device, "django_otp_id", None)
    if source is None:
        return ()
    from .legacy_tables import CATALOGUE  # only for an imported device

    label = device._meta.label
    return tuple(
        f"{session_label}/{source}"
        for entry in CATALOGUE
        if entry.model == label
        for session_label in entry.session_labels
    )


def adopt_legacy_session(session: Any, user: Any, record: Callable[..., Any]) -> None:
    """Record a django-otp verification of ``session`` in our format (``record``), if valid.

    Costs nothing unless the session holds a django-otp id (``otp_totp.totpdevice/3``);
    such an id is then replaced by ours, or dropped when it names no device of ``user``.

    ``record`` is :func:`otp_core.session.record_verification` (passed in so that
    this module does not import the session module that calls it).
    """
    value = session.get(LEGACY_DEVICE_ID_KEY)
    parsed = _parse(value)
    if parsed is None or parsed[0] not in SESSION_LABELS:
        return  # no id, or one of ours: no query
    device = imported_device(value, user) if otp_settings.OTP_LEGACY_SESSIONS is True else None
    if device is not None:
        record(session, device, at=0.0)
    else:
        # Refused (or the setting is off): forget it, as django-otp's middleware does.
        del session[LEGACY_DEVICE_ID_KEY]

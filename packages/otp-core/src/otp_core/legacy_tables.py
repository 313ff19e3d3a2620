"""The tables django-otp, django-two-factor-auth and their plugins leave behind.

One catalogue (:data:`CATALOGUE`) says, for each such table, which package
made it, which ``otp-*`` distribution imports it and into which model. From
it, :func:`survey` tells for every table present in a database how many rows
it holds, which of them are imported (the model's ``django_otp_id`` names the
source row) and why the others are not. ``otp_import_django_otp`` prints that
as its report; ``otp_retire_django_otp`` refuses to retire tables while a row
is left behind; the session code maps django-otp's persistent ids with it.

The catalogue names our models by label (strings): otp-core imports no plugin.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils.module_loading import import_string

from .importing import read_table

__all__ = [
    "CATALOGUE",
    "RETIRED_SUFFIX",
    "LegacyTable",
    "TableStatus",
    "by_session_label",
    "content_types",
    "imported_ids",
    "survey",
]

#: ``otp_retire_django_otp`` renames ``<table>`` to ``<table>_retired``.
RETIRED_SUFFIX = "_retired"
#: Table name prefixes of the predecessors; unknown tables with these are reported.
_PREFIXES = ("otp_", "two_factor_", "django_otp_")


@dataclass(frozen=True)
class LegacyTable:
    """One table of a predecessor package and where its rows go here."""

    table: str
    #: The package that made it (``django-otp``, ``django-two-factor-auth`` ...).
    source: str
    #: The ``otp-*`` distribution that imports it.
    distribution: str
    #: Our model its rows become (``app_label.Model``, with ``django_otp_id``).
    model: str
    #: The source model's labels in django-otp persistent ids (``otp_totp.totpdevice``).
    session_labels: tuple[str, ...] = ()
    #: ``(parent table, column)``: each row is imported with its parent row.
    parent: tuple[str, str] | None = None
    #: Dotted path of ``f(using, table) -> set of source ids imported``, for a
    #: model without ``django_otp_id`` (WebAuthn keys are matched by credential).
    imported_ids: str | None = None
    #: Rows read along with other tables (no id of their own); never left behind.
    auxiliary: bool = False


CATALOGUE: tuple[LegacyTable, ...] = (
    LegacyTable(
        "otp_totp_totpdevice",
        "django-otp",
        "otp-totp",
        "otp_core_totp.TOTPDevice",
        ("otp_totp.totpdevice",),
    ),
    LegacyTable(
        "otp_hotp_hotpdevice",
        "django-otp",
        "otp-hotp",
        "otp_core_hotp.HOTPDevice",
        ("otp_hotp.hotpdevice",),
    ),
    LegacyTable(
        "otp_static_staticdevice",
        "django-otp",
        "otp-static",
        "otp_core_static.StaticDevice",
        ("otp_static.staticdevice",),
    ),
    LegacyTable(
        "otp_static_statictoken",
        "django-otp",
        "otp-static",
        "otp_core_static.StaticDevice",
        parent=("otp_static_staticdevice", "device_id"),
    ),
    LegacyTable(
        "otp_email_emaildevice",
        "django-otp",
        "otp-email",
        "otp_core_email.EmailDevice",
        ("otp_email.emaildevice",),
    ),
    LegacyTable(
        "two_factor_phonedevice",
        "django-two-factor-auth",
        "otp-phone",
        "otp_core_phone.PhoneDevice",
        # 1.14 moved the model to the "phonenumber" app, keeping its table.
        ("phonenumber.phonedevice", "two_factor.phonedevice"),
    ),
    LegacyTable(
        "otp_yubikey_validationservice",
        "django-otp-yubikey",
        "otp-yubikey",
        "otp_core_yubikey.ValidationService",
    ),
    LegacyTable(
        "otp_yubikey_yubikeydevice",
        "django-otp-yubikey",
        "otp-yubikey",
        "otp_core_yubikey.YubikeyDevice",
        ("otp_yubikey.yubikeydevice",),
    ),
    LegacyTable(
        "otp_yubikey_remoteyubikeydevice",
        "django-otp-yubikey",
        "otp-yubikey",
        "otp_core_yubikey.RemoteYubikeyDevice",
        ("otp_yubikey.remoteyubikeydevice",),
    ),
    LegacyTable(
        "two_factor_webauthn_webauthndevice",
        "django-two-factor-auth",
        "otp-webauthn",
        "otp_core_webauthn.WebAuthnDevice",
        imported_ids="otp_webauthn.importer.imported_ids",
    ),
    LegacyTable(
        "django_otp_webauthn_webauthncredential",
        "django-otp-webauthn",
        "otp-webauthn",
        "otp_core_webauthn.WebAuthnDevice",
        imported_ids="otp_webauthn.importer.imported_ids",
    ),
    LegacyTable(
        "django_otp_webauthn_webauthnuserhandle",
        "django-otp-webauthn",
        "otp-webauthn",
        "otp_core_webauthn.WebAuthnUserHandle",
        auxiliary=True,
    ),
)

_CONTENT_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "two_factor_phonedevice": (("phonenumber", "phonedevice"), ("two_factor", "phonedevice")),
    "two_factor_webauthn_webauthndevice": (("two_factor_webauthn", "webauthndevice"),),
}


def content_types(entry: LegacyTable) -> tuple[tuple[str, str], ...]:
    """``(app_label, model)`` of the source model's content types (dropped with the table)."""
    app_label, model = entry.table.rsplit("_", 1)  # otp_totp_totpdevice
    return _CONTENT_TYPES.get(entry.table, ((app_label, model),))


_BY_TABLE = {entry.table: entry for entry in CATALOGUE}


def by_session_label(label: str) -> LegacyTable | None:
    """The table whose rows a django-otp persistent id label (``otp_totp.totpdevice``) names."""
    label = label.lower()
    for entry in CATALOGUE:
        if label in entry.session_labels:
            return entry
    return None


def _model(entry: LegacyTable) -> Any:
    try:
        return apps.get_model(entry.model)
    except (LookupError, ValueError):
        return None


def imported_ids(entry: LegacyTable, using: str) -> set[Any] | None:
    """Source row ids of ``entry.table`` imported into ``using``; None if its plugin is absent."""
    model = _model(entry)
    if model is None:
        return None
    if entry.parent is not None:
        parent_ids = imported_ids(_BY_TABLE[entry.parent[0]], using) or set()
        rows = read_table(using, entry.table, [entry.parent[1]]) or []
        return {row["id"] for row in rows if row.get(entry.parent[1]) in parent_ids}
    if entry.imported_ids:
        return set(import_string(entry.imported_ids)(using, entry.table))
    manager = model._default_manager.db_manager(using)
    return set(manager.filter(django_otp_id__isnull=False).values_list("django_otp_id", flat=True))


@dataclass
class TableStatus:
    """What one predecessor table holds and what became of its rows."""

    table: str
    source: str
    distribution: str
    #: ``present``, ``retired`` (renamed by otp_retire_django_otp) or ``unknown``.
    state: str
    rows: int = 0
    imported: int = 0
    #: Rows not imported, by reason.
    left: Counter[str] = field(default_factory=Counter)
    ids: set[Any] = field(default_factory=set, repr=False)
    imported_ids: set[Any] = field(default_factory=set, repr=False)

    @property
    def left_behind(self) -> int:
        return sum(self.left.values())


def _count(using: str, table: str) -> int:
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _owners(using: str, user_ids: set[Any]) -> set[Any]:
    users = get_user_model()._default_manager.db_manager(using)
    return set(users.filter(pk__in=user_ids).values_list("pk", flat=True))


def _status(entry: LegacyTable, using: str) -> TableStatus:
    status = TableStatus(entry.table, entry.source, entry.distribution, "present")
    if entry.auxiliary:
        status.rows = status.imported = _count(using, entry.table)
        return status
    columns = [] if entry.parent else ["user_id"]
    rows = read_table(using, entry.table, columns) or []
    status.rows = len(rows)
    status.ids = {row["id"] for row in rows}
    done = imported_ids(entry, using)
    if done is None:
        if rows:
            status.left[f"{entry.distribution} not installed"] = len(rows)
        return status
    status.imported_ids = status.ids & done
    status.imported = len(status.imported_ids)
    rest = [row for row in rows if row["id"] not in done]
    if entry.parent is not None:
        if rest:
            status.left[f"its {entry.parent[0]} row not imported"] = len(rest)
        return status
    owners = _owners(using, {row["user_id"] for row in rest if "user_id" in row})
    for row in rest:
        if "user_id" in row and row["user_id"] not in owners:
            status.left["unknown user"] += 1
        else:
            status.left["invalid row (a value the model refuses)"] += 1
    return status


def survey(using: str) -> list[TableStatus]:
    """Every predecessor table in ``using``: catalogued, retired or of an unknown kind."""
    connection = connections[using]
    present = set(connection.introspection.table_names())
    ours = set(connection.introspection.django_table_names(include_views=False))
    result = []
    for entry in CATALOGUE:
        if entry.table in present:
            result.append(_status(entry, using))
        elif entry.table + RETIRED_SUFFIX in present:
            result.append(TableStatus(entry.table, entry.source, entry.distribution, "retired"))
    known = {entry.table for entry in CATALOGUE}
    known |= {table + RETIRED_SUFFIX for table in known}
    for table in sorted(present - ours - known):
        if table.startswith(_PREFIXES) and not table.endswith(RETIRED_SUFFIX):
            status = TableStatus(table, "?", "-", "unknown", rows=_count(using, table))
            if status.rows:
                status.left["a kind no otp-* package imports"] = status.rows
            result.append(status)
    return result

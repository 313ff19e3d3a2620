"""Copying devices from django-otp's tables, for plugins' importers.

django-otp need not be installed: its tables are read with plain SQL, and
only the columns that exist are copied (older django-otp versions lack the
throttling and timestamp columns). Each imported device records the source
row's id in its ``django_otp_id`` field (unique), which makes an import
idempotent: a row already imported is skipped. Secrets go through the model,
so they are encrypted like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

__all__ = ["COMMON_COLUMNS", "import_devices", "read_table"]

#: Columns every django-otp device table has (or gained in a later migration).
COMMON_COLUMNS = (
    "user_id",
    "name",
    "confirmed",
    "throttling_failure_count",
    "throttling_failure_timestamp",
    "created_at",
    "last_used_at",
)
_DATETIMES = {"throttling_failure_timestamp", "created_at", "last_used_at"}
_BOOLEANS = {"confirmed"}


def read_table(using: str, table: str, columns: Iterable[str]) -> list[dict[str, Any]] | None:
    """Rows of ``table`` (id and those ``columns`` it has), or None if it does not exist."""
    connection = connections[using]
    if table not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        present = {c.name for c in connection.introspection.get_table_description(cursor, table)}
        wanted = ["id", *(c for c in columns if c in present and c != "id")]
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in wanted)} FROM {quote(table)} "  # noqa: S608
            f"ORDER BY {quote('id')}"
        )
        return [dict(zip(wanted, row, strict=True)) for row in cursor.fetchall()]


def _datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    dt = value if isinstance(value, datetime) else parse_datetime(str(value))
    if dt is not None and settings.USE_TZ and timezone.is_naive(dt):
        # SQLite and MySQL hand back UTC without a zone when USE_TZ is on.
        dt = dt.replace(tzinfo=dt_timezone.utc)
    return dt


def _convert(column: str, value: Any) -> Any:
    if column in _DATETIMES:
        return _datetime(value)
    if column in _BOOLEANS:
        return bool(value)
    return value


def import_devices(
    model: type[Any],
    table: str,
    columns: Iterable[str],
    *,
    using: str,
    dry_run: bool,
    maxima: dict[str, int] | None = None,
    prepare: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
    order: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, int]:
    """Create a ``model`` device for each row of ``table`` not imported before.

    ``columns`` are the device-specific columns copied to same-named fields
    (``key`` among them); the common ones are always copied when present.
    ``maxima`` lowers numeric columns to a bound the model validates (a
    tolerance), so such a device is imported at the bound rather than lost.
    ``prepare`` adapts one row's field values (e.g. a number to E.164) and
    returns None for a row that cannot be used; ``order`` sorts the rows
    before they are created (lower primary keys for the ones to come first).
    Counts: ``created``, ``skipped`` (imported before), ``invalid`` (a key or
    owner that cannot be used), ``missing_tables``.
    """
    counts = {"created": 0, "skipped": 0, "invalid": 0, "missing_tables": 0}
    rows = read_table(using, table, [*COMMON_COLUMNS, *columns])
    if rows is None:
        counts["missing_tables"] = 1
        return counts
    if order is not None:
        rows.sort(key=order)
    manager = model._default_manager.db_manager(using)
    user_model = get_user_model()
    with transaction.atomic(using=using):
        done = set(
            manager.filter(django_otp_id__isnull=False).values_list("django_otp_id", flat=True)
        )
        owners = set(
            user_model._default_manager.db_manager(using)
            .filter(pk__in={row["user_id"] for row in rows})
            .values_list("pk", flat=True)
        )
        for row in rows:
            if row["id"] in done:
                counts["skipped"] += 1
                continue
            if row["user_id"] not in owners:
                counts["invalid"] += 1
                continue
            values = {c: _convert(c, v) for c, v in row.items() if c != "id" and v is not None}
            for column, bound in (maxima or {}).items():
                if isinstance(values.get(column), int) and values[column] > bound:
                    values[column] = bound
            if prepare is not None:
                prepared = prepare(values)
                if prepared is None:
                    counts["invalid"] += 1
                    continue
                values = prepared
            created_at = values.pop("created_at", None)
            device = model(django_otp_id=row["id"], **values)
            try:
                device.full_clean(exclude=["user"], validate_unique=False)
            except ValidationError:
                # Never echo the row: it holds the plaintext key.
                counts["invalid"] += 1
                continue
            device.save(using=using)
            if created_at is not None:
                manager.filter(pk=device.pk).update(created_at=created_at)
            counts["created"] += 1
        if dry_run:
            transaction.set_rollback(True, using=using)
    return counts

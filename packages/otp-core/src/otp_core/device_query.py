"""The devices a session's verifications name, read with SQL built once.

Every request that asks about two-factor reads those devices (one query per
device model, so one in the usual case) and, in the same statement, whether
this browser's :class:`~otp_core.models.SignedInBrowser` row still exists
(:class:`otp_core.session.OTPState`). Building that SELECT through the ORM
cost about a quarter of an ``otp_required`` page's CPU, yet its text depends
only on the model, the database and how many ids are asked for. So it is
built once per process, through the ORM (the model's default manager,
ordering and column names as Django writes them), and then run with
:meth:`~django.db.models.query.QuerySet.raw`, which converts the values and
builds the model instances as a queryset does.

The SQL is kept only when the ORM put exactly the expected values in it, in
the expected order (the browser check's, then the ids); anything else, say a
default manager that filters on a value of its own, keeps the ORM query for
that model, built on every call as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL

if TYPE_CHECKING:
    from .models import Device

__all__ = ["UNKNOWN", "load_devices"]

#: ``load_devices`` could not tell the browser row's state (no device row came back).
UNKNOWN: Any = object()
#: The annotation carrying the browser row's state on each device row.
_BROWSER = "_otp_browser_state"
#: (database alias, model, number of ids, with the browser check) -> SQL, or
#: None when the ORM query must be built on each call for that model.
_PREPARED: dict[tuple[str, type, int, bool], str | None] = {}


def load_devices(
    device_ids: Iterable[str], user_pk: Any, browser: str | None = None
) -> tuple[dict[str, Device], Any]:
    """Confirmed devices of ``user_pk`` by persistent id, one query per model.

    With ``browser`` (a :class:`~otp_core.models.SignedInBrowser` digest) the
    same query tells that row's state (:func:`otp_core.browsers.row_state`):
    None when there is no such signed-in row, else whether its
    ``last_seen_at`` is due for a refresh; :data:`UNKNOWN` when no device row
    came back to say.

    The rows are selected by primary key alone and their owner and
    confirmation checked here: the same answer as filtering on them in SQL,
    for less work on every request that asks. ``is_verified()`` never reads
    a secret: the keys stay sealed (not decrypted).
    """
    from .models.device import _split_persistent_id

    by_model: dict[type, dict[str, None]] = defaultdict(dict)
    for device_id in device_ids:
        model, pk = _split_persistent_id(device_id)
        if model is not None:
            by_model[model][pk] = None  # each id once, in order
    found: dict[str, Device] = {}
    state: Any = UNKNOWN
    for model, pks in by_model.items():
        try:
            rows = _rows(model, list(pks), user_pk, browser)
            for device in rows:
                if browser is not None:
                    value = device.__dict__.pop(_BROWSER)
                    state = None if value is None else bool(value)
                if device.user_id == user_pk and device.confirmed:
                    found[device.persistent_id] = device
        except (ValueError, TypeError):
            continue  # an id this model's primary key cannot hold
    return found, state


def _rows(model: type[Device], pks: list[str], user_pk: Any, browser: str | None) -> Any:
    """The rows of ``model`` with primary key in ``pks`` (annotated with the browser's state)."""
    from . import browsers

    manager = model._default_manager
    alias = manager.db
    connection = connections[alias]
    check = browsers.row_state_sql(connection, browser, user_pk) if browser is not None else None
    key = (alias, model, len(pks), check is not None)
    sql = _PREPARED.get(key, "")
    if sql is None:
        return _orm_query(model, pks, check)
    pk_field = model._meta.pk
    assert pk_field is not None
    params = [*(check[1] if check is not None else ()), *_db_values(pk_field, pks, connection)]
    if not sql:
        sql = _PREPARED[key] = _prepare(model, alias, pks, check, params)
        if sql is None:
            return _orm_query(model, pks, check)
    return manager.raw(sql, params)


def _db_values(pk_field: Any, pks: list[str], connection: Any) -> list[Any]:
    """``pks`` as the ORM sends them for ``pk__in`` (ValueError for one the field cannot hold)."""
    return [pk_field.get_db_prep_value(pk, connection, prepared=False) for pk in pks]


def _orm_query(model: type[Device], pks: list[str], check: tuple[str, tuple] | None) -> Any:
    rows = model._default_manager.filter(pk__in=pks)
    if check is not None:
        rows = rows.annotate(**{_BROWSER: RawSQL(*check, output_field=IntegerField())})  # noqa: S611
    return rows


def _prepare(
    model: type[Device], alias: str, pks: list[str], check: tuple[str, tuple] | None, params: list
) -> str | None:
    """The ORM's SQL for these rows, or None if its values are not exactly ``params``."""
    compiler = _orm_query(model, pks, check).query.get_compiler(using=alias)
    sql, compiled = compiler.as_sql()
    return sql if list(compiled) == params else None

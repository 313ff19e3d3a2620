"""The devices a session's verifications name, read with SQL built once.

Every request that asks about two-factor reads those devices (one query per
device model, so one in the usual case) and, in the same statement, whether
this browser's :class:`~otp_core.models.SignedInBrowser` row still exists
(:class:`otp_core.session.OTPState`). Building that SELECT through the ORM,
and reading its rows back, cost about a quarter of an ``otp_required``
page's CPU, yet its text depends only on the model, the database and how
many ids are asked for. So the ORM builds it once per database connection
(the model's default manager, ordering and column names as Django writes
them) and keeps, with the SQL, what its compiler knows about the rows: the
columns' attribute names and the value converters of the database and the
fields (an encrypted secret loads sealed, SQLite's booleans become
``bool``...). Later calls run the SQL on the cursor and build each device
with ``Model.from_db()``, as a queryset does.

The SQL is kept only when the ORM put exactly the expected values in it, in
the expected order (the browser check's, then the ids), and selected the
model's columns and nothing else but the browser check; anything else, say
a default manager that filters on a value of its own, keeps the ORM query
for that model, built on every call.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Built:
    """One device query as the ORM built it, for one database connection."""

    sql: str
    #: Attribute names of the model's columns, in the order selected (first).
    names: tuple[str, ...]
    #: (position, converters, expression) of each column that needs converting.
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    #: Position of the browser check's column, or None.
    state_at: int | None


#: Per connection (so per thread): (model, number of ids, with the browser
#: check) -> the built query, or None when the ORM query must be built on
#: each call for that model. Connections are per thread and live long; the
#: entries go with them.
_BUILT: weakref.WeakKeyDictionary[Any, dict[tuple[type, int, bool], _Built | None]] = (
    weakref.WeakKeyDictionary()
)


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
            for device, value in _rows(model, list(pks), user_pk, browser):
                if browser is not None:
                    state = None if value is None else bool(value)
                if device.user_id == user_pk and device.confirmed:
                    found[device.persistent_id] = device
        except (ValueError, TypeError):
            continue  # an id this model's primary key cannot hold
    return found, state


def _rows(
    model: type[Device], pks: list[str], user_pk: Any, browser: str | None
) -> Iterable[tuple[Device, Any]]:
    """``(device, browser state)`` of ``model``'s rows with primary key in ``pks``."""
    from . import browsers

    alias = model._default_manager.db
    connection = connections[alias]
    check = browsers.row_state_sql(connection, browser, user_pk) if browser is not None else None
    key = (model, len(pks), check is not None)
    built_here = _BUILT.setdefault(connection, {})
    built = built_here.get(key, UNKNOWN)
    if built is None:
        return _orm_rows(model, pks, check)
    pk_field = model._meta.pk
    assert pk_field is not None
    params = [*(check[1] if check is not None else ()), *_db_values(pk_field, pks, connection)]
    if built is UNKNOWN:
        built = built_here[key] = _build(model, connection, pks, check, params)
        if built is None:
            return _orm_rows(model, pks, check)
    return _run(model, built, connection, params)


def _db_values(pk_field: Any, pks: list[str], connection: Any) -> list[Any]:
    """``pks`` as the ORM sends them for ``pk__in`` (ValueError for one the field cannot hold)."""
    return [pk_field.get_db_prep_value(pk, connection, prepared=False) for pk in pks]


def _orm_query(model: type[Device], pks: list[str], check: tuple[str, tuple] | None) -> Any:
    rows = model._default_manager.filter(pk__in=pks)
    if check is not None:
        rows = rows.annotate(**{_BROWSER: RawSQL(*check, output_field=IntegerField())})  # noqa: S611
    return rows


def _orm_rows(
    model: type[Device], pks: list[str], check: tuple[str, tuple] | None
) -> Iterable[tuple[Device, Any]]:
    for device in _orm_query(model, pks, check):
        yield device, device.__dict__.pop(_BROWSER, None)


def _build(
    model: type[Device],
    connection: Any,
    pks: list[str],
    check: tuple[str, tuple] | None,
    params: list[Any],
) -> _Built | None:
    """The ORM's query for these rows, or None if it is not the plain shape expected."""
    compiler = _orm_query(model, pks, check).query.get_compiler(connection=connection)
    sql, compiled = compiler.as_sql()
    if list(compiled) != params:
        return None  # values of its own (a filtering manager...): not to be frozen
    select, info = compiler.select, compiler.klass_info
    positions = list(info["select_fields"]) if info else []
    annotations = dict(compiler.annotation_col_map or {})
    state_at = annotations.pop(_BROWSER, None)
    expected = len(positions) + (state_at is not None)
    if (
        info is None
        or info.get("related_klass_infos")
        or annotations
        or positions != list(range(len(positions)))
        or (state_at is not None) != (check is not None)
        or len(select) != expected
        or (state_at is not None and state_at != len(positions))
    ):
        return None
    converters = compiler.get_converters([column[0] for column in select])
    return _Built(
        sql=sql,
        names=tuple(select[i][0].target.attname for i in positions),
        converters=tuple((pos, tuple(convs), expr) for pos, (convs, expr) in converters.items()),
        state_at=state_at,
    )


def _run(
    model: type[Device], built: _Built, connection: Any, params: list[Any]
) -> list[tuple[Device, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(built.sql, params)
        rows = cursor.fetchall()
    width = len(built.names)
    result = []
    for row in rows:
        values = list(row)
        for pos, convs, expression in built.converters:
            value = values[pos]
            for convert in convs:
                value = convert(value, expression, connection)
            values[pos] = value
        device = model.from_db(connection.alias, built.names, values[:width])
        result.append((device, values[built.state_at] if built.state_at is not None else None))
    return result

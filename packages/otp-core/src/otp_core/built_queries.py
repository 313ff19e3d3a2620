"""Queries a sign-in or a protected page runs every time, built by the ORM once.

The ORM builds a SELECT anew on each evaluation: for the few queries every
sign-in and every ``otp_required`` page make (a session's devices, a user's
device list, the device and account rows locked to check a code) that was
a good share of the request's CPU, although their text depends only on the
model, the database and the query's shape. :func:`model_rows` builds such a
query through the ORM the first time (the model's default manager,
ordering, locking and column names as Django writes them) and keeps, per
database connection, its SQL with what the compiler knows about the rows:
the columns' attribute names and the value converters of the database and
the fields (an encrypted secret loads sealed, SQLite's booleans become
``bool``). Later calls run the SQL on the cursor and make each instance with
``Model.from_db()``, as a queryset does.

A built query is kept only when the ORM put exactly the caller's values in
it, in the caller's order, and selected the model's own columns (plus
annotations); anything else, say a default manager that filters on a value
of its own, is evaluated through the ORM on every call, as before.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.transaction import TransactionManagementError

__all__ = ["db_value", "model_rows"]

_MISSING: Any = object()


class _Built:
    """One query as the ORM built it, for one database connection.

    ``names``: attribute names of the model's columns, in the order selected
    (first); ``converters``: (position, converters, expression) of each column
    that needs converting; ``annotations``: positions of the annotations, in
    the caller's order; ``for_update``: SELECT ... FOR UPDATE, only inside a
    transaction, as the ORM requires.
    """

    __slots__ = ("annotations", "converters", "for_update", "model", "names", "sql")

    def __init__(
        self,
        *,
        sql: str,
        model: type[Model],
        names: tuple[str, ...],
        converters: tuple[tuple[int, tuple[Any, ...], Any], ...],
        annotations: tuple[int, ...],
        for_update: bool,
    ) -> None:
        self.sql = sql
        self.model = model
        self.names = names
        self.converters = converters
        self.annotations = annotations
        self.for_update = for_update


#: Per connection (so per thread; connections live long and the entries go
#: with them): the caller's key -> the built query, or None when that query
#: is evaluated through the ORM on each call.
_BUILT: weakref.WeakKeyDictionary[Any, dict[Hashable, _Built | None]] = weakref.WeakKeyDictionary()


def model_rows(
    key: Hashable,
    build: Callable[[], QuerySet],
    params: Sequence[Any],
    *,
    using: str,
    annotations: Sequence[str] = (),
) -> list[tuple[Model, tuple[Any, ...]]]:
    """``(instance, annotation values)`` of each row of ``build()``, on ``using``.

    ``key`` names the query's shape (the same SQL text every time, say
    ``("devices", model, 2)``); ``params`` are the values the ORM puts in it,
    in its order, as the database receives them (``get_db_prep_value()``);
    ``annotations`` the names of ``build()``'s annotations to return. A value
    a field cannot hold raises ``ValueError`` before any query, as the ORM's
    lookup would.
    """
    connection = connections[using]
    cache = _BUILT.setdefault(connection, {})
    built = cache.get(key, _MISSING)
    if built is None:
        return _orm_rows(build(), annotations)
    if built is _MISSING:
        queryset = build()
        built = cache[key] = _build(queryset, connection, list(params), annotations)
        if built is None:
            return _orm_rows(queryset, annotations)
    return _run(built, connection, list(params))


def db_value(model: type[Model], name: str, value: Any, connection: Any) -> Any:
    """``value`` of ``model``'s field ``name`` (``"pk"``, or a foreign key by
    its name: the value of the key it points to) as the ORM sends it to
    ``connection``, for :func:`model_rows`'s ``params``. ``ValueError`` for
    a value the field cannot hold, as the ORM's lookup raises."""
    field: Any = model._meta.pk if name == "pk" else model._meta.get_field(name)
    field = getattr(field, "target_field", field)
    return field.get_db_prep_value(value, connection, prepared=False)


def _orm_rows(queryset: QuerySet, annotations: Sequence[str]) -> list[tuple[Model, tuple]]:
    return [(row, tuple(row.__dict__.pop(name, None) for name in annotations)) for row in queryset]


def _build(
    queryset: QuerySet, connection: Any, params: list[Any], wanted: Sequence[str]
) -> _Built | None:
    """``queryset`` as the ORM builds it, or None if it is not the plain shape expected."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, compiled = compiler.as_sql()
    if list(compiled) != params:
        return None  # values of its own (a filtering manager...): not to be frozen
    select, info = compiler.select, compiler.klass_info
    if not info or info.get("related_klass_infos") or compiler.query.extra_select:
        return None
    positions = list(info["select_fields"])
    columns = dict(compiler.annotation_col_map or {})
    if (
        info["model"] is not queryset.model
        or positions != list(range(len(positions)))
        or set(columns) != set(wanted)
        or len(select) != len(positions) + len(columns)
    ):
        return None
    converters = compiler.get_converters([column[0] for column in select])
    return _Built(
        sql=sql,
        model=queryset.model,
        names=tuple(select[i][0].target.attname for i in positions),
        converters=tuple((pos, tuple(convs), expr) for pos, (convs, expr) in converters.items()),
        annotations=tuple(columns[name] for name in wanted),
        for_update=bool(
            compiler.query.select_for_update and connection.features.has_select_for_update
        ),
    )


def _run(built: _Built, connection: Any, params: list[Any]) -> list[tuple[Model, tuple]]:
    if built.for_update and connection.get_autocommit():
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
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
        instance = built.model.from_db(connection.alias, built.names, values[:width])
        result.append((instance, tuple(values[pos] for pos in built.annotations)))
    return result

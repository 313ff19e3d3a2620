"""The devices a session's verifications name, and this browser's row, in one query.

Every request that asks about two-factor reads those devices (one query per
device model, so one in the usual case) and, in the same statement, whether
this browser's :class:`~otp_core.models.SignedInBrowser` row still exists
(:class:`otp_core.session.OTPState`). The query is built by the ORM once per
model, number of ids and database connection (:mod:`otp_core.built_queries`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import IntegerField
from django.db.models.expressions import RawSQL

from .built_queries import db_value, model_rows

if TYPE_CHECKING:
    from .models import Device

__all__ = ["UNKNOWN", "load_devices"]

#: ``load_devices`` could not tell the browser row's state (no device row came back).
UNKNOWN: Any = object()
#: The annotation carrying the browser row's state on each device row.
_BROWSER = "_otp_browser_state"


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
    from django.db import connections

    from . import browsers

    alias = model._default_manager.db
    connection = connections[alias]
    check = browsers.row_state_sql(connection, browser, user_pk) if browser is not None else None
    # As the ORM sends them for pk__in (ValueError for one the field cannot hold).
    ids = [db_value(model, "pk", pk, connection) for pk in pks]

    def build() -> Any:
        rows = model._default_manager.filter(pk__in=pks)
        if check is not None:
            rows = rows.annotate(**{_BROWSER: RawSQL(*check, output_field=IntegerField())})  # noqa: S611
        return rows

    rows = model_rows(
        ("devices by id", model, len(pks), check is not None),
        build,
        [*(check[1] if check is not None else ()), *ids],
        using=alias,
        annotations=(_BROWSER,) if check is not None else (),
    )
    return [(device, extra[0] if extra else None) for device, extra in rows]  # type: ignore[misc]

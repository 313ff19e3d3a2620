"""Helpers for the tests of otp-core plugins and of the sites that use them.

Every device plugin should prove that a token is accepted at most once when
several processes race on it; :func:`race` starts the contenders together,
each with its own database connection. Every view should answer hostile input
with a form error or a 4xx, never a 500; :func:`hostile_values` and
:func:`hostile_ids` give the inputs, :func:`form_body` sends them as a
browser-less client can (lone surrogates included).
"""

from __future__ import annotations

import contextlib
import random
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple
from urllib.parse import quote

from django.db import connection, connections

__all__ = [
    "HostileValue",
    "foreign_tables",
    "form_body",
    "hostile_ids",
    "hostile_values",
    "race",
    "sample",
]


def race(n: int, work: Callable[[int], Any], *, timeout: float = 120) -> list[Any]:
    """Run ``work(i)`` for ``i`` in ``range(n)`` in threads released together.

    Each thread opens its own database connection before the start line (so
    the race is between the calls, not between connection set-ups) and closes
    it at the end. Returns the results in order; the first exception of any
    thread is raised again here. Use it in tests marked
    ``django_db(transaction=True)``: the threads must see committed rows.
    """
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            connections["default"].ensure_connection()
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # reported in the calling thread
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError("a racing thread did not finish")
    if errors:
        raise errors[0]
    return results


class HostileValue(NamedTuple):
    """One hostile input: a short ``label`` for reports and the ``value`` sent."""

    label: str
    value: str


_HOSTILE: tuple[HostileValue, ...] = (
    HostileValue("empty", ""),
    HostileValue("blank", "   "),
    HostileValue("long", "7" * 10_000),
    HostileValue("long-text", "\u00e9" * 10_000),
    HostileValue("nul", "\x00"),
    HostileValue("nul-inside", "123\x00456"),
    HostileValue("arabic-indic-digits", "\u0661\u0662\u0663\u0664\u0665\u0666"),
    HostileValue("fullwidth-digits", "\uff11\uff12\uff13\uff14\uff15\uff16"),
    HostileValue("devanagari-digits", "\u0967\u0968\u0969\u096a\u096b\u096c"),
    HostileValue("math-digits", "\U0001d7cf\U0001d7d0\U0001d7d1\U0001d7d2\U0001d7d3\U0001d7d4"),
    HostileValue("lone-surrogate", "12\ud800345"),
    HostileValue("zero-width", "\u200b123\ufeff456\u202e"),
    HostileValue("int-2**63", str(2**63)),
    HostileValue("int-minus-1", "-1"),
    HostileValue("int-10**30", str(10**30)),
    HostileValue("int-min-minus-1", str(-(2**63) - 1)),
    HostileValue("float-overflow", "1e309"),
    HostileValue("nan", "NaN"),
    HostileValue("persistent-id-out-of-range", f"otp_core.device/{2**63}"),
    HostileValue("persistent-id-garbage", "auth.user/1/../2"),
    HostileValue("html", "<script>alert(1)</script>"),
    HostileValue("sql", "' OR '1'='1' --"),
    HostileValue("format", "%(secret)s {0} {{7*7}}"),
    HostileValue("crlf", "x\r\nSet-Cookie: sessionid=evil"),
    HostileValue("scheme-relative-url", "//evil.example/"),
    HostileValue("javascript-url", "javascript:alert(1)"),
    HostileValue("backslash-url", "\\\\evil.example\\"),
    HostileValue("json", '{"step": null, "a": [1, {}]}'),
    HostileValue("path", "../../../etc/passwd"),
)


def hostile_values() -> tuple[HostileValue, ...]:
    """Inputs that must give a form error or a 4xx, never a 500 or a change of state.

    Long values, NUL bytes, non-ASCII digits (which ``str.isdigit()`` and
    ``int()`` accept), a lone surrogate (send it with :func:`form_body`),
    integers outside 64 bits, crafted persistent ids and redirect targets.
    """
    return _HOSTILE


def hostile_ids(*known: Any) -> tuple[HostileValue, ...]:
    """Values for an id or pk (in a URL or a form): out of range, malformed, and ``known``.

    ``known`` are real ids worth trying too, e.g. another user's device pk.
    """
    values = [
        HostileValue("id-minus-1", "-1"),
        HostileValue("id-zero", "0"),
        HostileValue("id-int64-max", str(2**63 - 1)),
        HostileValue("id-2**63", str(2**63)),
        HostileValue("id-10**30", str(10**30)),
        HostileValue("id-long", "9" * 10_000),
        HostileValue("id-arabic-indic", "\u0661\u0662"),
        HostileValue("id-fullwidth", "\uff11\uff12"),
        HostileValue("id-nul", "1\x00"),
        HostileValue("id-text", "abc"),
    ]
    values += [HostileValue(f"known-id-{value}", str(value)) for value in known]
    return tuple(values)


def sample(values: Sequence[Any], k: int, seed: str) -> list[Any]:
    """``k`` of ``values`` (all of them if fewer), the same ones for the same ``seed``."""
    if k >= len(values):
        return list(values)
    return random.Random(seed).sample(list(values), k)  # noqa: S311 - test data, not secrets


def form_body(pairs: Iterable[tuple[str, str]]) -> bytes:
    """``application/x-www-form-urlencoded`` bytes for ``pairs``, repeats allowed.

    Lone surrogates are sent as the (invalid UTF-8) bytes a client can put on
    the wire; ``urlencode`` and Django's test client cannot encode them.
    """

    def encode(text: str) -> str:
        return quote(text.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs).encode("ascii")


@contextlib.contextmanager
def foreign_tables(tables: dict[str, str]) -> Iterator[Callable[..., None]]:
    """Create another project's tables (to test an importer); yields ``insert(table, **row)``.

    ``tables`` maps a table name to its column list in portable SQL with
    double-quoted names; ``BINARY`` and ``datetime`` become this backend's
    binary and date-time types. The tables are dropped again on exit. Use it in
    tests marked ``django_db(transaction=True)``: MariaDB commits DDL at once.
    """
    q = connection.ops.quote_name
    binary = connection.data_types["BinaryField"]
    stamp = connection.data_types["DateTimeField"]
    with connection.cursor() as cursor:
        for table, columns in tables.items():
            columns = re.sub(r'"(\w+)"', lambda m: q(m.group(1)), columns)
            columns = columns.replace("BINARY", binary).replace("datetime", stamp)
            cursor.execute(f"CREATE TABLE {q(table)} ({columns})")

    def insert(table: str, **row: Any) -> None:
        names = ", ".join(q(c) for c in row)
        marks = ", ".join(["%s"] * len(row))
        # Names are the test's own literals, quoted; values go as parameters.
        sql = f"INSERT INTO {q(table)} ({names}) VALUES ({marks})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, list(row.values()))

    try:
        yield insert
    finally:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {q(table)}")

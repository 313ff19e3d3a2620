"""A middleware that reports the SQL statements of each request in a response header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

HEADER = "X-Bench-SQL"
WRITES_HEADER = "X-Bench-Writes"
_WRITES = ("INSERT", "UPDATE", "DELETE")


class CountingMiddleware:
    """Headers ``X-Bench-SQL`` (statements sent, savepoints too) and ``X-Bench-Writes``."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        count = writes = 0

        def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            nonlocal count, writes
            count += 1
            writes += sql.lstrip()[:6].upper() in _WRITES
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            response = self.get_response(request)
            # Session saves happen in SessionMiddleware's response phase, inside.
        response[HEADER] = str(count)
        response[WRITES_HEADER] = str(writes)
        return response

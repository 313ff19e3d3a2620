"""Helpers for the tests of otp-core plugins and of the sites that use them.

Every device plugin should prove that a token is accepted at most once when
several processes race on it; :func:`race` starts the contenders together,
each with its own database connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

__all__ = ["race"]


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

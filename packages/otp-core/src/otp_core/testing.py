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
import json
import os
import random
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple
from urllib.parse import quote

from django.db import connection, connections

__all__ = [
    "CooldownTestMixin",
    "FrozenClock",
    "HostileValue",
    "OTPTestCase",
    "OTPTestCaseMixin",
    "TestThread",
    "ThrottlingTestMixin",
    "foreign_tables",
    "form_body",
    "hostile_ids",
    "hostile_values",
    "loaded_at_startup",
    "race",
    "sample",
]


def loaded_at_startup(modules: Iterable[str], env: dict[str, str]) -> list[str]:
    """Which of ``modules`` a worker has imported once it is ready to serve.

    A new interpreter with ``env`` added to this one's environment (say
    ``DJANGO_SETTINGS_MODULE`` and ``PYTHONPATH``) runs ``django.setup()``,
    loads the URLconf and builds the WSGI handler, as a gunicorn worker does
    before its first request. A plugin proves with it that code a worker
    seldom needs (checks, mails, set-up pages) is imported on first use.
    """
    code = "\n".join(
        [
            "import json, sys, django",
            "django.setup()",
            "from django.urls import get_resolver",
            "get_resolver().url_patterns",
            "from django.core.wsgi import get_wsgi_application",
            "get_wsgi_application()",
            f"print(json.dumps([m for m in {list(modules)!r} if m in sys.modules]))",
        ]
    )
    # The interpreter running the tests, with code written here: no outside input.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the worker did not start:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


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


# -- django-otp's test helpers (django_otp.tests), for suites moving over ---------


class TestThread(threading.Thread):
    """A thread that closes its database connections when done (django-otp's).

    Django opens one connection per thread; a test that starts threads must
    close them or the test database cannot be dropped. :func:`race` is the
    better tool for "at most once" tests.
    """

    __test__ = False  # not a test class, whatever pytest's collection rules say

    def run(self) -> None:
        try:
            super().run()
        finally:
            connections.close_all()


class FrozenClock:
    """``django.utils.timezone.now`` stopped, moved on only by :meth:`tick`.

    ``with FrozenClock() as clock: ...; clock.tick(1.5)``. Every throttle,
    cooldown and expiry of otp-core reads the time through
    ``timezone.now()``, so this is enough to step over a delay without
    sleeping (django-otp's tests use freezegun for the same).
    """

    def __init__(self, start: Any = None) -> None:
        from django.utils import timezone

        self._timezone = timezone
        self.now = start or timezone.now()
        self._real: Any = None

    def __call__(self) -> Any:
        return self.now

    def tick(self, seconds: float) -> Any:
        """Move the clock ``seconds`` on; returns the new time."""
        from datetime import timedelta

        self.now = self.now + timedelta(seconds=seconds)
        return self.now

    def __enter__(self) -> FrozenClock:
        self._real = self._timezone.now
        self._timezone.now = self  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: Any) -> None:
        self._timezone.now = self._real


class OTPTestCaseMixin:
    """Users for tests, whatever the user model (django-otp's ``OTPTestCaseMixin``)."""

    User: Any
    USERNAME_FIELD: str

    @classmethod
    def setUpClass(cls) -> None:
        from django.contrib.auth import get_user_model

        super().setUpClass()  # type: ignore[misc]
        cls.User = get_user_model()
        cls.USERNAME_FIELD = cls.User.USERNAME_FIELD

    def create_user(self, username: str, password: str, **kwargs: Any) -> Any:
        """A user created through the user model's manager (a custom model's too)."""
        return self.User._default_manager.create_user(username, password=password, **kwargs)


def _django_test_case() -> type:
    from django.test import TestCase

    return TestCase


class OTPTestCase(OTPTestCaseMixin, _django_test_case()):  # type: ignore[misc]
    """``django.test.TestCase`` with :class:`OTPTestCaseMixin` (django-otp's ``TestCase``)."""


class ThrottlingTestMixin:
    """Tests every throttled device should pass (django-otp's ``ThrottlingTestMixin``).

    Mix into a ``TestCase``; in ``setUp`` put a saved device in
    ``self.device`` and implement :meth:`valid_token` (a token the device
    accepts next) and :meth:`invalid_token`. The device's throttle factor
    must be above 0. Our throttle differs from django-otp's on purpose: the
    first failure costs no delay (a single typo must not block the next
    try); the delay starts with the second (``factor * 2`` seconds).
    """

    device: Any

    def valid_token(self) -> Any:
        raise NotImplementedError("Return a token the device accepts next.")

    def invalid_token(self) -> Any:
        raise NotImplementedError("Return a token the device refuses.")

    def _delay(self) -> float:
        factor = self.device.get_throttle_factor()
        assert factor > 0, "ThrottlingTestMixin needs a throttled device"
        return float(factor) * 2

    def test_first_failure_costs_no_delay(self) -> None:
        assert not self.device.verify_token(self.invalid_token())
        assert self.device.verify_token(self.valid_token())

    def test_delay_imposed_after_second_fail(self) -> None:
        with FrozenClock():
            self.device.verify_token(self.invalid_token())
            assert not self.device.verify_token(self.invalid_token())
            assert not self.device.verify_token(self.valid_token())

    def test_delay_after_fail_expires(self) -> None:
        delay = self._delay()
        with FrozenClock() as clock:
            self.device.verify_token(self.invalid_token())
            self.device.verify_token(self.invalid_token())
            clock.tick(delay + 0.1)
            assert self.device.verify_token(self.valid_token())

    def test_throttling_failure_count(self) -> None:
        assert self.device.throttling_failure_count == 0
        with FrozenClock():
            for _ in range(5):
                self.device.verify_token(self.invalid_token())
            # Tries within the delay are refused unchecked and do not count.
            assert self.device.throttling_failure_count == 2

    def test_verify_is_allowed(self) -> None:
        from .models import VerifyNotAllowed

        assert self.device.verify_is_allowed() == (True, None)
        delay = self._delay()
        with FrozenClock() as clock:
            self.device.verify_token(self.invalid_token())
            self.device.verify_token(self.invalid_token())
            allowed, details = self.device.verify_is_allowed()
            assert not allowed
            assert details == {
                "reason": VerifyNotAllowed.N_FAILED_ATTEMPTS,
                "failure_count": 2,
                "locked_until": clock.now + _seconds(delay),
            }
            clock.tick(delay + 0.1)
            assert self.device.verify_token(self.valid_token())
            assert self.device.verify_is_allowed() == (True, None)


class CooldownTestMixin:
    """Tests every device that sends codes should pass (django-otp's ``CooldownTestMixin``).

    Mix into a ``TestCase``; put a saved interactive device with a cooldown
    above 0 in ``self.device``. Codes are sent through the device's own
    delivery, so configure a test gateway or mail backend.
    """

    device: Any

    def test_generate_is_allowed_on_first_try(self) -> None:
        assert self.device.generate_is_allowed() == (True, None)

    def test_cooldown_imposed_after_generation(self) -> None:
        from .challenges import ChallengeNotAllowed

        with FrozenClock():
            self.device.generate_challenge()
            allowed, details = self.device.generate_is_allowed()
            assert not allowed
            assert details["reason"] == "COOLDOWN_DURATION_PENDING"
            try:
                self.device.generate_challenge()
            except ChallengeNotAllowed:
                pass
            else:
                raise AssertionError("a second challenge within the cooldown was sent")

    def test_cooldown_expires(self) -> None:
        with FrozenClock() as clock:
            self.device.generate_challenge()
            clock.tick(self.device.get_cooldown() + 1)
            assert self.device.generate_is_allowed() == (True, None)


def _seconds(value: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=value)

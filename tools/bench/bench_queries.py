"""SQL statements spent on verification and on requests through ``OTPMiddleware``.

Sets up the test project on a throwaway SQLite file, migrates it, creates a
user with an example HOTP device (``otp_example``, the test-only plugin), and
counts the statements of:

* one successful and one failed ``otp_core.verification.verify`` (the success,
  for a user without failures, reads the account-wide failure row and writes
  nothing to it; the first failure inserts it);
* a request whose view reads ``request.user.is_authenticated`` only, with and
  without the middleware (the middleware must add nothing);
* a request whose view calls ``request.user.is_verified()`` on a verified
  session (exactly one query more than the same request without OTP).

Data statements are shown apart from transaction control (BEGIN, SAVEPOINT,
RELEASE, COMMIT, ROLLBACK). Run from the repository root:
``python tools/bench/bench_queries.py``.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTROL = re.compile(r"^\s*(BEGIN|SAVEPOINT|RELEASE|COMMIT|ROLLBACK|START TRANSACTION)\b", re.I)
# SQLite: the no-op UPDATE that takes the write lock, the device row, the account
# row (read only: this user has no failures to reset), the device UPDATE. On
# PostgreSQL the lock is the SELECT ... FOR UPDATE itself: 3.
TARGET_SUCCESS_STATEMENTS = 4


@dataclass
class Capture:
    """Statements of one measured block, each with 'was a transaction open'."""

    statements: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def data(self) -> list[tuple[str, bool]]:
        return [(sql, inside) for sql, inside in self.statements if not CONTROL.match(sql)]

    @property
    def control(self) -> list[str]:
        return [sql for sql, _ in self.statements if CONTROL.match(sql)]

    def in_one_transaction(self) -> bool:
        begins = [sql for sql in self.control if re.match(r"\s*(BEGIN|START)", sql, re.I)]
        commits = [sql for sql in self.control if re.match(r"\s*COMMIT", sql, re.I)]
        one = len(begins) == 1 and len(commits) == 1
        return one and all(inside for _, inside in self.data)


def setup_django(db_path: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "test_project.settings"
    os.environ["OTP_DB"] = "sqlite"
    os.environ["OTP_DB_NAME"] = db_path
    sys.path.insert(0, str(ROOT / "test_project"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


@contextmanager
def capture() -> Iterator[Capture]:
    """CaptureQueriesContext, plus whether each data statement ran in a transaction.

    Django logs COMMIT and ROLLBACK itself (they are not cursor executes), so the
    execute wrapper sees only the executed statements; data statements line up.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Capture()
    executed: list[tuple[str, bool]] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(wrapper):
        yield result
    flags = iter([inside for sql, inside in executed if not CONTROL.match(sql)])
    statements = []
    for query in ctx.captured_queries:
        sql = query["sql"]
        statements.append((sql, False if CONTROL.match(sql) else next(flags)))
    assert next(flags, None) is None, "every executed data statement was captured"
    result.statements = statements


def show(title: str, cap: Capture) -> None:
    print(f"{title}: {len(cap.data)} data statement(s), {len(cap.control)} transaction control")
    for sql, inside in cap.statements:
        kind = "ctl " if CONTROL.match(sql) else ("txn " if inside else "auto")
        text = " ".join(sql.split())
        print(f"    [{kind}] {text[:110]}{'...' if len(text) > 110 else ''}")


def _urlconf() -> str:
    """A local URLconf with two views, registered as an importable module."""
    from django.http import HttpResponse
    from django.urls import path

    def authenticated_only(request):  # type: ignore[no-untyped-def]
        return HttpResponse(f"authenticated={request.user.is_authenticated}")

    def asks_otp(request):  # type: ignore[no-untyped-def]
        return HttpResponse(f"verified={request.user.is_verified()}")

    module = types.ModuleType("bench_queries_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("plain/", authenticated_only),
        path("otp/", asks_otp),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="otp-bench-") as tmp:
        setup_django(os.path.join(tmp, "bench.sqlite3"))
        return run()


def run() -> int:
    import secrets

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings
    from otp_example.models import ExampleDevice

    from otp_core import oath
    from otp_core.session import record_verification
    from otp_core.verification import verify

    print("== SQL statements (SQLite, test_project settings) ==")
    user = get_user_model().objects.create_user("bench", "bench@example.com")
    device = ExampleDevice.objects.create(user=user, name="bench", key=secrets.token_hex(20))
    device = ExampleDevice.objects.get(pk=device.pk)  # as a view would hold it
    good = oath.format_token(oath.hotp(bytes.fromhex(device.key), device.counter))

    checks: list[tuple[str, bool]] = []

    with capture() as success:
        result = verify(device, good)
    assert result.accepted, result
    show("verify(), token accepted", success)
    checks.append(
        (
            f"success: <= {TARGET_SUCCESS_STATEMENTS} data statements "
            f"({len(success.data)}), all in one transaction",
            len(success.data) <= TARGET_SUCCESS_STATEMENTS and success.in_one_transaction(),
        )
    )
    account_writes = [
        sql
        for sql, _ in success.data
        if "otp_core_accountthrottle" in sql and not sql.lstrip().upper().startswith("SELECT")
    ]
    checks.append(
        (
            f"success, no failures before: the account row is not written ({len(account_writes)})",
            not account_writes,
        )
    )

    with override_settings(OTP_THROTTLE_FACTOR=0):
        bad = next(
            f"{n:06d}"
            for n in range(10**6)
            if oath.verify_hotp(bytes.fromhex(device.key), f"{n:06d}", device.counter, window=2)
            is None
        )
        with capture() as failure:
            result = verify(device, bad)
    assert not result.accepted
    show("verify(), token refused", failure)
    checks.append(
        (
            f"failure: all {len(failure.data)} data statements in one transaction",
            failure.in_one_transaction(),
        )
    )

    without_otp = [m for m in settings.MIDDLEWARE if m != "otp_core.middleware.OTPMiddleware"]
    urlconf = _urlconf()
    logged_in = Client()
    logged_in.force_login(user)
    session = logged_in.session
    record_verification(session, device)
    session.save()

    def request(path: str, middleware: list[str]) -> tuple[Capture, bytes]:
        with override_settings(ROOT_URLCONF=urlconf, MIDDLEWARE=middleware):
            # A client builds its middleware chain once: a new one per setting.
            client = Client()
            client.cookies = logged_in.cookies
            client.get(path)  # warm-up: URL resolver, first-request work
            with capture() as cap:
                response = client.get(path)
        assert response.status_code == 200, response.status_code
        return cap, response.content

    plain_without, _ = request("/plain/", without_otp)
    plain_with, _ = request("/plain/", list(settings.MIDDLEWARE))
    otp_with, body = request("/otp/", list(settings.MIDDLEWARE))
    assert body == b"verified=True", body
    show("GET is_authenticated only, without OTPMiddleware", plain_without)
    show("GET is_authenticated only, with OTPMiddleware", plain_with)
    show("GET is_verified() on a verified session, with OTPMiddleware", otp_with)
    extra_plain = len(plain_with.data) - len(plain_without.data)
    extra_otp = len(otp_with.data) - len(plain_without.data)
    checks.append(
        (f"middleware, OTP never asked: 0 extra queries ({extra_plain})", extra_plain == 0)
    )
    checks.append((f"is_verified(): exactly 1 extra query ({extra_otp})", extra_otp == 1))

    print()
    print("Targets:")
    for text, met in checks:
        print(f"  [{'met' if met else 'MISSED'}] {text}")
    if not all(met for _, met in checks):
        print("Some targets were missed (this benchmark reports; it does not fail the run).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where the server's CPU goes in a sign-in: the bench sites in-process, by CPU time.

``bench_signin.py`` measures through gunicorn, which on a shared machine
mixes other people's load into wall time. This driver calls each site's
WSGI application directly (the same ``tools/bench/sites`` settings, the
same requests a browser sends) and counts only the CPU time spent inside
the application, per request kind:

* ``login GET``, ``password POST``, ``token POST`` of a complete sign-in;
* ``page``: the ``otp_required`` (peers: django-otp's) page afterwards.

It prints CPU ms per request for ours and the peers (the first sign-in of a
fresh worker apart, the least over ``--repeat`` alternated runs), their
ratio and SQL statements, the worker's RSS after start-up and after the
sign-ins, and the modules our worker has loaded that the peers' has not
(``--modules``). CPU time on a shared machine still wanders by 10-20 %
between runs; ``--callgrind DIR`` counts the instructions of each request
under valgrind instead (deterministic, about 50 times slower: use a few
sign-ins and pages), through callgrind's client requests compiled into a
small library with ``cc``. ``--profile DIR`` writes a cProfile file per
site and request kind (``DIR/ours-token-POST.prof``...) to read with
``python -m pstats``; ``--sql`` prints the statements of one sign-in and
one page.

``python tools/bench/profile_signin.py [--signins N] [--pages N] [--repeat N]
[--callgrind DIR] [--profile DIR] [--sql] [--modules]`` from the repository
root. Needs Debian's PostgreSQL (``tools/dbserver.py``), pyotp, django-otp
and django-two-factor-auth (valgrind and a C compiler for ``--callgrind``).
Loopback only; bounded loops.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import json
import os
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SITES = ("ours", "peers")
LOGIN = "/account/login/"
PAGE = "/protected/"
STEP = "login_view-current_step"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE_SIZE / 2**20


class Driver:
    """A cookie-keeping client that calls the WSGI application in this process."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cookies: dict[str, str] = {}
        self.cpu: dict[str, float] = {}
        self.count: dict[str, int] = {}
        self.sql: dict[str, int] = {}
        self.wall: dict[str, float] = {}
        #: The callgrind client requests (:func:`_callgrind`), under valgrind.
        self.callgrind: Any = None
        #: One profiler per request kind, when profiling.
        self.profilers: dict[str, cProfile.Profile] | None = None

    def request(self, kind: str, method: str, path: str, data: dict[str, str] | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        if data is not None:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list, exc_info: Any = None) -> None:
            answer["status"] = int(status.split()[0])
            answer["headers"] = headers

        profiler = None
        if self.profilers is not None:
            profiler = self.profilers.setdefault(kind, cProfile.Profile())
        started, wall = time.process_time(), time.perf_counter()
        if self.callgrind is not None:
            self.callgrind.CALLGRIND_ZERO()
        if profiler is not None:
            profiler.enable()
        result = self.app(environ, start_response)
        content = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        if profiler is not None:
            profiler.disable()
        if self.callgrind is not None:
            self.callgrind.CALLGRIND_DUMP(kind.encode())
        self.cpu[kind] = self.cpu.get(kind, 0.0) + time.process_time() - started
        self.wall[kind] = self.wall.get(kind, 0.0) + time.perf_counter() - wall
        self.count[kind] = self.count.get(kind, 0) + 1
        for name, value in answer["headers"]:
            if name == "X-Bench-SQL":
                self.sql[kind] = self.sql.get(kind, 0) + int(value)
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    if morsel.value:
                        self.cookies[key] = morsel.value
                    else:
                        self.cookies.pop(key, None)
        return answer["status"], content

    def post(self, kind: str, path: str, data: dict[str, str]):
        return self.request(
            kind, "POST", path, {"csrfmiddlewaretoken": self.cookies["csrftoken"], **data}
        )


def sign_in(driver: Driver, name: str, hexkey: str) -> None:
    import pyotp

    driver.cookies.clear()
    status, _ = driver.request("login GET", "GET", LOGIN)
    assert status == 200, status
    status, body = driver.post(
        "password POST", LOGIN, {STEP: "auth", "auth-username": name, "auth-password": "password"}
    )
    assert status == 200, status
    assert b"token-otp_token" in body
    code = pyotp.TOTP(base64.b32encode(bytes.fromhex(hexkey)).decode()).now()
    status, _ = driver.post("token POST", LOGIN, {STEP: "token", "token-otp_token": code})
    assert status == 302, status


def child(
    site: str, signins: int, pages: int, profile_dir: str | None, show_sql: bool
) -> dict[str, Any]:
    """Run one site in this process (users on stdin); returns its measurements."""
    import pyotp  # noqa: F401  (the client's import, not the site's)

    users = [tuple(line.split()) for line in sys.stdin.read().splitlines() if line.strip()]
    extra = users.pop()
    sys.path.insert(0, str(HERE))
    os.environ["DJANGO_SETTINGS_MODULE"] = f"sites.{site}"
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    driver = Driver(app)
    driver.request("warm", "GET", LOGIN)
    rss_start = rss_mib()
    first: dict[str, float] = {}
    for n, user in enumerate(users[:3]):  # warm-up: caches, connections, imports
        sign_in(driver, *user)
        driver.request("page", "GET", PAGE)
        if n == 0:  # what the first sign-in of a worker costs
            first = {kind: cpu * 1000 for kind, cpu in driver.cpu.items() if kind != "warm"}
    driver.cpu.clear()
    driver.count.clear()
    driver.sql.clear()
    driver.wall.clear()
    if profile_dir:
        driver.profilers = {}
    if os.environ.get(CALLGRIND_ENV):
        driver.callgrind = _callgrind(os.environ[CALLGRIND_ENV])
        driver.callgrind.CALLGRIND_START()
    for user in users[3:]:
        sign_in(driver, *user)
    for _ in range(pages):
        status, _ = driver.request("page", "GET", PAGE)
        assert status == 200, status
    statements = []
    if show_sql:  # one more sign-in and page, their statements
        from django.db import connection

        def log(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            statements.append(f"{current[0]}: {sql}")
            return execute(sql, params, many, context)

        current = [""]
        original = driver.request

        def request(kind, *args, **kwargs):  # type: ignore[no-untyped-def]
            current[0] = kind
            return original(kind, *args, **kwargs)

        driver.request = request  # type: ignore[method-assign]
        with connection.execute_wrapper(log):
            sign_in(driver, *extra)
            driver.request("page", "GET", PAGE)
    if show_sql:
        from django.contrib.sessions.models import Session

        session = Session.objects.get(session_key=driver.cookies["sessionid"])
        statements.append(f"session after sign-in: {session.get_decoded()}")
        statements.append(f"session data length: {len(session.session_data)}")
    for kind, profiler in (driver.profilers or {}).items():
        profiler.dump_stats(os.path.join(profile_dir, f"{site}-{kind.replace(' ', '-')}.prof"))
    modules = {}
    for name in sorted(sys.modules):
        modules[name] = getattr(sys.modules[name], "__file__", None) or ""
    return {
        "cpu_ms": {k: driver.cpu[k] / driver.count[k] * 1000 for k in driver.cpu},
        "sql": {k: driver.sql.get(k, 0) / driver.count[k] for k in driver.cpu},
        "wall_ms": {k: driver.wall[k] / driver.count[k] * 1000 for k in driver.cpu},
        "rss_start": rss_start,
        "rss_end": rss_mib(),
        "modules": modules,
        "first_ms": first,
        "statements": statements,
    }


CALLGRIND_ENV = "PROFILE_SIGNIN_CALLGRIND"
_CALLGRIND_C = """
#include <valgrind/callgrind.h>
void CALLGRIND_START(void) { CALLGRIND_START_INSTRUMENTATION; }
void CALLGRIND_ZERO(void) { CALLGRIND_ZERO_STATS; }
void CALLGRIND_DUMP(const char *label) { CALLGRIND_DUMP_STATS_AT(label); }
"""


def _callgrind(directory: str) -> Any:
    """Callgrind's client requests, compiled into a tiny library and loaded with ctypes."""
    import ctypes

    source = Path(directory) / "callgrind_requests.c"
    library = Path(directory) / f"callgrind_requests_{os.getpid()}.so"
    source.write_text(_CALLGRIND_C)
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return ctypes.CDLL(str(library))


def _callgrind_totals(directory: str, site: str) -> dict[str, float]:
    """Instructions per request of each kind, from the dumps of one site's run."""
    totals: dict[str, list[int]] = {}
    for path in Path(directory).glob(f"callgrind.{site}.*"):
        label = summary = None
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("desc: Trigger: Client Request: "):
                label = line.split(": ", 3)[-1].strip()
            elif line.startswith(("summary:", "totals:")):
                summary = int(line.split()[1])
        if label is not None and summary is not None:
            totals.setdefault(label, []).append(summary)
    return {kind: sum(values) / len(values) for kind, values in totals.items()}


def _run_child(site: str, n: int, db_env: dict[str, str], args: Any) -> dict[str, Any]:
    """Seed a fresh database for ``site`` and measure it in a new interpreter."""
    from bench_signin import run_seed

    command = [sys.executable, __file__, "--child", site]
    command += ["--signins", str(args.signins), "--pages", str(args.pages)]
    if args.callgrind:
        out = os.path.abspath(args.callgrind)
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}/callgrind.{site}.%p",
            *command,
        ]
    if args.sql:
        command.append("--sql")
    if args.profile and n == 0:
        command += ["--profile", os.path.abspath(args.profile)]
    env = {**os.environ, **db_env, "BENCH_DB_NAME": f"prof_{site}_{n}"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env["DJANGO_SETTINGS_MODULE"] = f"sites.{site}"
    if args.callgrind:
        env[CALLGRIND_ENV] = os.path.abspath(args.callgrind)
        env["PYTHONHASHSEED"] = "0"
    users = run_seed(env, site, args.signins + 4)
    done = subprocess.run(
        command, env=env, input=users, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{site} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if args.callgrind:
        result["instructions"] = _callgrind_totals(os.path.abspath(args.callgrind), site)
    return result


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The least CPU per request kind over ``runs`` (the least disturbed); RSS of the last."""
    best = dict(runs[-1])
    for key in ("first_ms", "cpu_ms", "wall_ms"):
        best[key] = {kind: min(run[key][kind] for run in runs) for kind in best[key]}
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signins", type=int, default=100)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1, help="runs per site (alternated)")
    parser.add_argument("--profile", metavar="DIR", help="write cProfile files here (first run)")
    parser.add_argument("--modules", action="store_true", help="list modules only ours imports")
    parser.add_argument(
        "--callgrind",
        metavar="DIR",
        help="count instructions per request under valgrind (slow: use few sign-ins)",
    )
    parser.add_argument("--sql", action="store_true", help="print one sign-in's statements")
    parser.add_argument("--child", choices=SITES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = child(args.child, args.signins, args.pages, args.profile, args.sql)
        print(json.dumps(result))
        return 0
    sys.path.insert(0, str(ROOT / "tools"))
    from bench_signin import create_databases
    from dbserver import server

    for directory in (args.profile, args.callgrind):
        if directory:
            os.makedirs(directory, exist_ok=True)
    runs: dict[str, list[dict[str, Any]]] = {site: [] for site in SITES}
    with server("postgres") as db_env:
        create_databases(db_env, [f"prof_{site}_{n}" for n in range(args.repeat) for site in SITES])
        for n in range(args.repeat):
            for site in SITES if n % 2 == 0 else reversed(SITES):
                runs[site].append(_run_child(site, n, db_env, args))
    results = {site: _best(site_runs) for site, site_runs in runs.items()}
    ours, peers = results["ours"], results["peers"]
    steps = ("login GET", "password POST", "token POST")
    for key, what in (
        ("first_ms", "CPU ms, first request"),
        ("cpu_ms", "CPU ms per request"),
        ("wall_ms", "wall ms per request"),
    ):
        print(f"{what:<20} {'ours':>8} {'peers':>8} {'ratio':>7}   SQL ours/peers")
        for kind in (*steps, "page"):
            a, b = ours[key][kind], peers[key][kind]
            sql = f"{ours['sql'][kind]:.0f}/{peers['sql'][kind]:.0f}"
            print(f"{kind:<20} {a:>8.2f} {b:>8.2f} {a / b:>7.2f}   {sql:>8}")
        signin = sum(ours[key][k] for k in steps)
        theirs = sum(peers[key][k] for k in steps)
        print(f"{'sign-in (3 req.)':<20} {signin:>8.2f} {theirs:>8.2f} {signin / theirs:>7.2f}\n")
    if args.callgrind:
        print(f"{'instructions (M)':<20} {'ours':>8} {'peers':>8} {'ratio':>7}")
        a, b = ours["instructions"], peers["instructions"]
        for kind in (*steps, "page"):
            print(
                f"{kind:<20} {a[kind] / 1e6:>8.2f} {b[kind] / 1e6:>8.2f} {a[kind] / b[kind]:>7.2f}"
            )
        signin, theirs = sum(a[k] for k in steps), sum(b[k] for k in steps)
        total = f"{signin / 1e6:>8.2f} {theirs / 1e6:>8.2f} {signin / theirs:>7.2f}"
        print(f"{'sign-in (3 req.)':<20} {total}\n")
    for key in ("rss_start", "rss_end"):
        print(f"{key:<20} {ours[key]:>8.1f} {peers[key]:>8.1f} {ours[key] / peers[key]:>7.2f}")
    if args.sql:
        for site in SITES:
            print(f"\nstatements of one sign-in and one page, {site}:")
            for statement in results[site]["statements"]:
                print(f"  {statement}")
    if args.modules:
        for one, other, name in ((ours, peers, "ours"), (peers, ours, "the peers")):
            only = sorted(set(one["modules"]) - set(other["modules"]))
            print(f"\nmodules {name} loaded after the sign-ins, the other did not ({len(only)}):")
            for module in only:
                print(f"  {module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

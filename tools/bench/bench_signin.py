"""The complete sign-in, side by side: ours, django-two-factor-auth + django-otp, plain Django.

Three minimal sites (``tools/bench/sites/``) share everything but their
sign-in stack: Django, contrib apps and middleware, database sessions,
``MD5PasswordHasher``, one PostgreSQL server on loopback (a database each,
started by ``tools/dbserver.py``) and gunicorn with 2 sync workers each.
Everything the sites import is compiled to bytecode first, as a ``pip
install`` leaves it, so no worker compiles source (``compile_bytecode``).

* ours: otp-core + otp-totp + two-factor-ui (``otp_required`` page);
* peers: django-otp 1.7.5 + django-two-factor-auth 1.18.1;
* plain: ``django.contrib.auth.views.LoginView`` and ``login_required``.

A *sign-in* is what a browser does: GET the login page, POST the password,
POST the TOTP code (computed with pyotp; plain Django stops after the
password). Every user signs in once, so no code is refused as a replay.
Measured per round, the sites taking turns one sign-in (and one block of
ten pages) at a time, who goes first rotating: sign-ins per second (wall
time of the sign-ins, one client), SQL statements and writes per sign-in
(counted server-side by ``sites.counting``), server CPU per request (the
workers' ``/proc/<pid>/stat``), the same for a page behind
``otp_required``/``login_required``, and the workers' mean RSS after the
round (after start-up too, once). Ratios are
ours / peers per round: the median is compared with the targets of issue 15,
the spread (min..max over rounds) shown beside it. Then the engine ratios
of ``bench_totp.py``. Loopback only, bounded loops; stops by itself.

``python tools/bench/bench_signin.py [--rounds N] [--signins N] [--pages N]``
from the repository root (the nox ``bench`` session runs it). Needs
gunicorn, django-otp, django-two-factor-auth, pyotp and Debian's PostgreSQL.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import importlib.util
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SITES = ("ours", "peers", "plain")
LOGIN = {"ours": "/account/login/", "peers": "/account/login/", "plain": "/accounts/login/"}
PROTECTED = "/protected/"
TICK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
START_TIMEOUT = 60.0
#: Targets of issue 15 (ours / peers).
TARGET_SIGNIN_RATE = 1.2
#: Protected pages a site loads in one turn (``measure_round``).
PAGE_BLOCK = 10


# -- HTTP client ---------------------------------------------------------------


class Browser:
    """A cookie-keeping client on one site; one connection per request (sync workers)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.sql = 0
        self.writes = 0

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> tuple:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        self.sql += int(response.headers.get("X-Bench-SQL", 0))
        self.writes += int(response.headers.get("X-Bench-Writes", 0))
        return response.status, response.headers, content

    def post(self, path: str, data: dict[str, str]) -> tuple:
        return self.request(
            "POST", path, {"csrfmiddlewaretoken": self.cookies["csrftoken"], **data}
        )


def totp_code(hexkey: str) -> str:
    import pyotp

    return pyotp.TOTP(base64.b32encode(bytes.fromhex(hexkey)).decode()).now()


def sign_in(site: str, port: int, name: str, hexkey: str) -> Browser:
    """One complete sign-in; raises when a step does not answer as expected."""
    browser = Browser(port)
    url = LOGIN[site]
    status, _, _ = browser.request("GET", url)
    _expect(site, "login page", status, 200)
    if site == "plain":
        status, _, _ = browser.post(url, {"username": name, "password": "password"})
        _expect(site, "password", status, 302)
        return browser
    step = "login_view-current_step"
    status, _, body = browser.post(
        url, {step: "auth", "auth-username": name, "auth-password": "password"}
    )
    _expect(site, "password", status, 200)
    if b"token-otp_token" not in body:
        raise RuntimeError(f"{site}: no token step after the password")
    status, _, _ = browser.post(url, {step: "token", "token-otp_token": totp_code(hexkey)})
    _expect(site, "token", status, 302)
    return browser


def _expect(site: str, what: str, status: int, wanted: int) -> None:
    if status != wanted:
        raise RuntimeError(f"{site}: {what} answered {status}, expected {wanted}")


# -- servers -------------------------------------------------------------------


@dataclass
class Site:
    name: str
    port: int
    proc: subprocess.Popen
    users: list[tuple[str, str]]
    next_user: int = 0
    _workers: list[int] = field(default_factory=list)

    def user(self) -> tuple[str, str]:
        user = self.users[self.next_user]
        self.next_user += 1
        return user

    def workers(self) -> list[int]:
        """The gunicorn workers: children of the master process (read once, then kept)."""
        if not self._workers:
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stat = (entry / "stat").read_text()
                    except OSError:
                        continue
                    if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                        self._workers.append(int(entry.name))
        return self._workers

    def cpu(self) -> float:
        """Seconds of CPU (user + system) the workers have used."""
        total = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # a worker was replaced: the measurement is void
                raise RuntimeError(f"{self.name}: gunicorn worker {pid} went away") from None
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / TICK

    def rss(self) -> float:
        """Mean resident memory of a worker, MiB."""
        sizes = []
        for pid in self.workers():
            resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
            sizes.append(resident * PAGE_SIZE / 2**20)
        return statistics.mean(sizes) if sizes else float("nan")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _site_env(db_env: dict[str, str], site: str) -> dict[str, str]:
    env = {**os.environ, **db_env}
    env["DJANGO_SETTINGS_MODULE"] = f"sites.{site}"
    env["BENCH_DB_NAME"] = f"bench_{site}"
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def create_databases(db_env: dict[str, str], names: Iterable[str] | None = None) -> None:
    """Create ``names`` (default: ``bench_<site>`` for every site) on the server of ``db_env``."""
    import psycopg

    with psycopg.connect(
        host=db_env["OTP_DB_HOST"],
        port=db_env["OTP_DB_PORT"],
        user=db_env["OTP_DB_USER"],
        password=db_env["OTP_DB_PASSWORD"],
        dbname=db_env["OTP_DB_NAME"],
        autocommit=True,
    ) as conn:
        for name in names if names is not None else [f"bench_{site}" for site in SITES]:
            conn.execute(f"CREATE DATABASE {name}")


def _site_command(env: dict[str, str], what: str, module: str, *args: str) -> str:
    """The output of ``python -m <module> <args>`` run for a site (``env``) in ``tools/bench``."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=HERE,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def run_seed(env: dict[str, str], site: str, count: int) -> str:
    """``sites.seed``'s output for ``site`` under ``env``: one ``name hexkey`` line per user."""
    return _site_command(env, f"seeding {site}", "sites.seed", site, str(count))


def seed(db_env: dict[str, str], site: str, count: int) -> list[tuple[str, str]]:
    out = run_seed(_site_env(db_env, site), site, count)
    return [tuple(line.split()) for line in out.splitlines() if line.strip()]  # type: ignore[misc]


def compile_bytecode(db_env: dict[str, str]) -> int:
    """Bytecode for everything the sites import, as ``pip install`` leaves it; files covered.

    ``uv`` installs no bytecode and ``PYTHONDONTWRITEBYTECODE`` keeps a worker
    from writing any, so each worker would compile every module it imports
    from source, and what the compiler leaves behind would make its memory
    follow how much source it read rather than what it holds. Compiled once
    here, for all three sites alike (``sites.imports`` says what each imports).
    """
    import compileall

    roots = {str(HERE / "sites")}
    for site in SITES:
        out = _site_command(_site_env(db_env, site), f"listing {site}'s imports", "sites.imports")
        roots.update(line for line in out.splitlines() if line.strip())
    spec = importlib.util.find_spec("gunicorn")
    if spec is not None and spec.submodule_search_locations:
        roots.update(spec.submodule_search_locations)
    compiled = 0
    for root in sorted(roots):
        path = Path(root)
        if path.is_dir():
            compiled += len(list(path.rglob("*.py")))
            compileall.compile_dir(path, quiet=2, workers=0)
        elif path.suffix == ".py":
            compiled += 1
            compileall.compile_file(path, quiet=2)
    return compiled


@contextmanager
def serve(db_env: dict[str, str], site: str, users: list[tuple[str, str]]) -> Iterator[Site]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers=2",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "sites.wsgi:application",
        ],
        env=_site_env(db_env, site),
        cwd=HERE,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                Browser(port).request("GET", LOGIN[site])
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn for {site} did not start") from None
                time.sleep(0.2)
        yield Site(site, port, proc, users)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- measuring -----------------------------------------------------------------


@dataclass
class Samples:
    rate: list[float] = field(default_factory=list)  # sign-ins per second
    sql: list[float] = field(default_factory=list)  # statements per sign-in
    writes: list[float] = field(default_factory=list)
    cpu_request: list[float] = field(default_factory=list)  # ms per sign-in request
    cpu_page: list[float] = field(default_factory=list)  # ms per protected page
    sql_page: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)  # after each round, MiB
    rss_start: float = float("nan")  # after start-up and one login page


@dataclass
class _Round:
    """One site's totals over one round."""

    signins: int = 0
    requests: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0
    sql: int = 0
    writes: int = 0
    pages: int = 0
    page_cpu: float = 0.0
    page_sql: int = 0


def measure_round(sites: dict[str, Site], signins: int, pages: int) -> dict[str, _Round]:
    """``signins`` sign-ins and ``pages`` protected pages per site, the sites taking
    turns one sign-in (and one block of pages) at a time.

    Fine-grained turns put every site under the same machine: on a shared host
    the speed drifts within seconds, and whole blocks per site would measure
    the drift as much as the code. CPU is read from ``/proc`` around each
    turn; its 10 ms ticks fall into the turns without bias, so the sums are
    right over a round.
    """
    totals = {name: _Round() for name in sites}
    browsers: dict[str, Browser] = {}
    for _ in range(signins):
        for name, site in sites.items():
            cpu0, started = site.cpu(), time.perf_counter()
            browser = sign_in(name, site.port, *site.user())
            elapsed, cpu = time.perf_counter() - started, site.cpu() - cpu0
            total = totals[name]
            total.signins += 1
            total.requests += 2 if name == "plain" else 3
            total.elapsed += elapsed
            total.cpu += cpu
            total.sql += browser.sql
            total.writes += browser.writes
            browsers[name] = browser
    done = 0
    while done < pages:
        block = min(PAGE_BLOCK, pages - done)
        for name, site in sites.items():
            browser = browsers[name]
            browser.sql = 0
            cpu0 = site.cpu()
            for _ in range(block):
                status, _, _ = browser.request("GET", PROTECTED)
                _expect(name, "protected page", status, 200)
            total = totals[name]
            total.page_cpu += site.cpu() - cpu0
            total.pages += block
            total.page_sql += browser.sql
        done += block
    return totals


def record(total: _Round, samples: Samples) -> None:
    samples.rate.append(total.signins / total.elapsed)
    samples.sql.append(total.sql / total.signins)
    samples.writes.append(total.writes / total.signins)
    samples.cpu_request.append(total.cpu / total.requests * 1000)
    if total.pages:
        samples.cpu_page.append(total.page_cpu / total.pages * 1000)
        samples.sql_page.append(total.page_sql / total.pages)


def ratio(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Median, min and max over rounds of a[i] / b[i]."""
    values = [x / y for x, y in zip(a, b, strict=True) if y]
    return statistics.median(values), min(values), max(values)


def engine_ratios() -> list[tuple[str, float, bool]]:
    """bench_totp's comparison, briefly: (what, ours / django-otp, met)."""
    sys.path.insert(0, str(HERE))
    import bench_totp

    token = bench_totp._missing_token()
    results = bench_totp.measure(bench_totp.candidates(token), rounds=31)
    rows = []
    for ours, theirs in bench_totp.PAIRS:
        value = results[ours][0] / results[theirs][0]
        rows.append((f"{ours} / {theirs}", value, value <= 1.0))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--signins", type=int, default=30, help="sign-ins per site and round")
    parser.add_argument("--pages", type=int, default=200, help="protected pages per round")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tools"))
    from dbserver import server

    warmup = 3
    users_needed = warmup + args.rounds * args.signins
    samples = {site: Samples() for site in SITES}
    started = time.monotonic()
    with server("postgres") as db_env, ExitStack() as stack:
        create_databases(db_env)
        compiled = compile_bytecode(db_env)
        sites = {}
        for name in SITES:
            sites[name] = stack.enter_context(serve(db_env, name, seed(db_env, name, users_needed)))
        print(f"bytecode for {compiled} source files; ", end="")
        print(f"servers up in {time.monotonic() - started:.0f} s; ", end="")
        print(f"{args.rounds} rounds x {args.signins} sign-ins + {args.pages} pages per site")
        for name, site in sites.items():
            samples[name].rss_start = site.rss()
        measure_round(sites, warmup, 20)  # warm-up: imports, caches, connections
        for n in range(args.rounds):
            order = SITES[n % 3 :] + SITES[: n % 3]  # who goes first rotates
            totals = measure_round({name: sites[name] for name in order}, args.signins, args.pages)
            for name, total in totals.items():
                record(total, samples[name])
                samples[name].rss.append(sites[name].rss())
    report(samples, engine_ratios())
    print(f"\nfinished in {time.monotonic() - started:.0f} s")
    return 0


def report(samples: dict[str, Samples], engine: list[tuple[str, float, bool]]) -> None:
    med = statistics.median
    print()
    header = f"{'site':<6} {'sign-ins/s':>10} {'SQL/sign-in':>11} {'writes':>7}"
    header += f" {'CPU ms/req':>10} {'page CPU ms':>11} {'page SQL':>8} {'RSS MiB':>13}"
    print(header)
    print("-" * len(header))
    for name, s in samples.items():
        print(
            f"{name:<6} {med(s.rate):>10.1f} {med(s.sql):>11.1f} {med(s.writes):>7.1f}"
            f" {med(s.cpu_request):>10.2f} {med(s.cpu_page):>11.2f} {med(s.sql_page):>8.1f}"
            f" {s.rss_start:>6.1f}->{s.rss[-1]:<6.1f}"
        )
    ours, peers, plain = samples["ours"], samples["peers"], samples["plain"]
    rows = [
        ("sign-ins/s, ours / peers", ratio(ours.rate, peers.rate), "higher", TARGET_SIGNIN_RATE),
        ("SQL statements per sign-in, ours / peers", ratio(ours.sql, peers.sql), "lower", 1.0),
        (
            "server CPU per sign-in request, ours / peers",
            ratio(ours.cpu_request, peers.cpu_request),
            "lower",
            None,
        ),
        ("otp_required page CPU, ours / peers", ratio(ours.cpu_page, peers.cpu_page), "lower", 1.0),
        (
            "worker RSS at start-up, ours / peers",
            (ours.rss_start / peers.rss_start,) * 3,
            "lower",
            1.0,
        ),
        ("worker RSS after each round, ours / peers", ratio(ours.rss, peers.rss), "lower", 1.0),
        ("sign-ins/s, ours / plain Django", ratio(ours.rate, plain.rate), "higher", None),
        ("page CPU, ours / plain Django", ratio(ours.cpu_page, plain.cpu_page), "lower", None),
    ]
    print()
    print(f"{'ratio':<46} {'median':>7} {'spread':>13}  target")
    results = []
    for text, (mid, low, high), better, target in rows:
        if target is None:
            verdict = "(reference)"
        else:
            met = mid >= target if better == "higher" else mid <= target
            verdict = f"{'>=' if better == 'higher' else '<='} {target:.2f} " + (
                "met" if met else "MISSED"
            )
            results.append(met)
        # Three decimals where two would print "1.00" for a value just over the line.
        digits = 3 if round(mid, 2) == (target or 0) else 2
        print(f"{text:<46} {mid:>7.{digits}f} {low:>6.{digits}f}..{high:<6.{digits}f} {verdict}")
    for text, value, met in engine:
        print(
            f"{'engine: ' + text:<46} {value:>7.2f} {'':>13}  <= 1.00 {'met' if met else 'MISSED'}"
        )
        results.append(met)
    if not all(results):
        print("Some targets were missed (this benchmark reports; it does not fail the run).")


if __name__ == "__main__":
    sys.exit(main())

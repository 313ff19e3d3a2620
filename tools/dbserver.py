#!/usr/bin/env python3
"""Throwaway PostgreSQL and MariaDB servers for the test suite.

Each server lives in a fresh temporary directory, listens on 127.0.0.1 on a
free port, and is stopped and deleted afterwards, so several can run at once.

As a context manager, ``server(kind)`` yields the environment variables the
test project's settings read (``OTP_DB``, ``OTP_DB_HOST``, ...)::

    with server("postgres") as env:
        subprocess.run(["pytest"], env={**os.environ, **env})

As a command, it runs another command with that environment::

    python tools/dbserver.py postgres -- pytest -x
    python tools/dbserver.py mariadb -- python test_project/manage.py migrate

Standard library only. Needs Debian's ``postgresql`` or ``mariadb-server``.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

KINDS = ("postgres", "mariadb")
USER = "otp"
PASSWORD = "otp"
NAME = "otp"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


class DBServerError(RuntimeError):
    """The server could not be found, started or reached."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


class _Account:
    """The OS account a server runs as: an unprivileged one when we are root."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self.uid: int | None = None
        self.gid: int | None = None
        if name is not None:
            entry = pwd.getpwnam(name)
            self.uid, self.gid = entry.pw_uid, entry.pw_gid

    def popen_kwargs(self) -> dict:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def own(self, path: Path) -> None:
        if self.uid is not None:
            os.chown(path, self.uid, self.gid)  # type: ignore[arg-type]


def _account(preferred: str, package: str) -> _Account:
    if os.geteuid() != 0:
        return _Account(None)
    try:
        return _Account(preferred)
    except KeyError:
        raise DBServerError(
            f"Running as root, but there is no {preferred!r} user to run the server as. "
            f"Installing Debian's {package} package creates it."
        ) from None


def _tempdir(prefix: str, account: _Account) -> Path:
    # /tmp is reachable by the unprivileged account; root's TMPDIR may not be.
    base = "/tmp" if account.uid is not None and os.path.isdir("/tmp") else None
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    account.own(path)
    return path


def _run(cmd: list[str], log: Path, account: _Account, what: str, cwd: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            check=False,
            **account.popen_kwargs(),
        )
    if result.returncode != 0:
        raise DBServerError(
            f"{what} failed (exit {result.returncode}): {' '.join(cmd)}\n"
            f"--- {log} (tail) ---\n{_tail(log)}"
        )


def _wait_ready(proc: subprocess.Popen, ready, log: Path, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DBServerError(
                f"{what} exited with code {proc.returncode} while starting.\n"
                f"--- {log} (tail) ---\n{_tail(log)}"
            )
        if ready():
            return
        time.sleep(0.2)
    raise DBServerError(
        f"{what} did not accept connections within {START_TIMEOUT:.0f}s.\n"
        f"--- {log} (tail) ---\n{_tail(log)}"
    )


def _stop(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is not None:
        return
    # The server may run as another user; signal it as root through its pid.
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, sig)
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# PostgreSQL ------------------------------------------------------------------


def _postgres_bindir() -> Path:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("postgres")
    if found and shutil.which("initdb"):
        return Path(found).parent
    raise DBServerError(
        "PostgreSQL binaries not found (looked for /usr/lib/postgresql/*/bin/postgres). "
        "Install Debian's postgresql package: apt-get install postgresql "
        "(or run python3 tools/system_packages.py)."
    )


@contextlib.contextmanager
def _postgres() -> Iterator[dict[str, str]]:
    bindir = _postgres_bindir()
    account = _account("postgres", "postgresql")
    tmp = _tempdir("otp-postgres-", account)
    data = tmp / "data"
    log = tmp / "server.log"
    log.touch()
    account.own(log)
    proc: subprocess.Popen | None = None
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            log,
            account,
            "initdb",
            tmp,
        )
        for attempt in range(3):
            port = _free_port()
            with log.open("ab") as out:
                proc = subprocess.Popen(
                    [
                        str(bindir / "postgres"),
                        "-D",
                        str(data),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        str(port),
                        "-k",
                        str(tmp),
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "max_connections=100",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=tmp,
                    start_new_session=True,
                    **account.popen_kwargs(),
                )

            def ready(port: int = port) -> bool:
                return (
                    subprocess.run(
                        [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)],
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        check=False,
                    ).returncode
                    == 0
                )

            try:
                _wait_ready(proc, ready, log, f"PostgreSQL on 127.0.0.1:{port}")
                break
            except DBServerError:
                # Someone else may have taken the port between probe and bind.
                if attempt == 2 or "already in use" not in _tail(log, 5):
                    raise
        assert proc is not None
        _run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, NAME],
            log,
            account,
            "createdb",
            tmp,
        )
        yield {
            "OTP_DB": "postgres",
            "OTP_DB_HOST": "127.0.0.1",
            "OTP_DB_PORT": str(port),
            "OTP_DB_USER": USER,
            "OTP_DB_PASSWORD": PASSWORD,
            "OTP_DB_NAME": NAME,
        }
    finally:
        if proc is not None:
            _stop(proc, signal.SIGINT)  # SIGINT is PostgreSQL's "fast" shutdown.
        shutil.rmtree(tmp, ignore_errors=True)


# MariaDB -----------------------------------------------------------------------


def _mariadb_binaries() -> tuple[str, str, str]:
    server = shutil.which("mariadbd") or shutil.which("mysqld")
    for candidate in ("/usr/sbin/mariadbd", "/usr/sbin/mysqld"):
        if server is None and os.path.exists(candidate):
            server = candidate
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    client = shutil.which("mariadb") or shutil.which("mysql")
    if not (server and install and client):
        raise DBServerError(
            "MariaDB binaries not found (mariadbd, mariadb-install-db, mariadb). "
            "Install Debian's mariadb-server package: apt-get install mariadb-server "
            "(or run python3 tools/system_packages.py)."
        )
    return server, install, client


@contextlib.contextmanager
def _mariadb() -> Iterator[dict[str, str]]:
    server, install, client = _mariadb_binaries()
    account = _account("mysql", "mariadb-server")
    tmp = _tempdir("otp-mariadb-", account)
    data = tmp / "data"
    sock = tmp / "mysqld.sock"
    log = tmp / "server.log"
    log.touch()
    account.own(log)
    user_flag = [f"--user={account.name}"] if account.name else []
    common = [
        "--no-defaults",
        f"--datadir={data}",
        f"--tmpdir={tmp}",
        "--innodb-buffer-pool-size=64M",
        "--innodb-log-file-size=16M",
        "--innodb-flush-log-at-trx-commit=0",
        "--innodb-doublewrite=0",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_unicode_ci",
    ]
    proc: subprocess.Popen | None = None
    try:
        _run(
            [
                install,
                *common,
                *user_flag,
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
            ],
            log,
            _Account(None),  # it drops to --user itself
            "mariadb-install-db",
            tmp,
        )
        for attempt in range(3):
            port = _free_port()
            with log.open("ab") as out:
                proc = subprocess.Popen(
                    [
                        server,
                        *common,
                        *user_flag,
                        "--bind-address=127.0.0.1",
                        f"--port={port}",
                        f"--socket={sock}",
                        f"--pid-file={tmp / 'mariadbd.pid'}",
                        "--skip-name-resolve",
                        "--skip-log-bin",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=tmp,
                    start_new_session=True,
                )

            def ready(port: int = port) -> bool:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                        # A ready server greets first; a starting one has no listener.
                        return bool(conn.recv(1))
                except OSError:
                    return False

            try:
                _wait_ready(proc, ready, log, f"MariaDB on 127.0.0.1:{port}")
                break
            except DBServerError:
                if attempt == 2 or "already in use" not in _tail(log, 10).lower():
                    raise
        assert proc is not None
        sql = (
            f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}';"
            f"CREATE USER '{USER}'@'localhost' IDENTIFIED BY '{PASSWORD}';"
            f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'127.0.0.1' WITH GRANT OPTION;"
            f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'localhost' WITH GRANT OPTION;"
            f"CREATE DATABASE `{NAME}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        )
        _run(
            [client, "--no-defaults", f"--socket={sock}", "-uroot", "-e", sql],
            log,
            _Account(None),
            "creating the MariaDB user",
            tmp,
        )
        yield {
            "OTP_DB": "mariadb",
            "OTP_DB_HOST": "127.0.0.1",
            "OTP_DB_PORT": str(port),
            "OTP_DB_USER": USER,
            "OTP_DB_PASSWORD": PASSWORD,
            "OTP_DB_NAME": NAME,
        }
    finally:
        if proc is not None:
            _stop(proc, signal.SIGTERM)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def server(kind: str) -> Iterator[dict[str, str]]:
    """Start a throwaway ``kind`` server; yield the ``OTP_DB*`` environment for it."""
    if kind == "postgres":
        manager = _postgres()
    elif kind == "mariadb":
        manager = _mariadb()
    else:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    with manager as env:
        yield env


def _raise_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a command against a throwaway database server.",
        usage="%(prog)s {postgres,mariadb} -- COMMAND [ARG...]",
    )
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command to run after --")
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    try:
        with server(args.kind) as env:
            shown = " ".join(f"{key}={value}" for key, value in env.items())
            print(f"dbserver: {shown}", file=sys.stderr, flush=True)
            return subprocess.run(command, env={**os.environ, **env}, check=False).returncode
    except DBServerError as error:
        print(f"dbserver: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

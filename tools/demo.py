#!/usr/bin/env python3
"""Run the demo site: ``python3 tools/demo.py [--port 8000] [--setup-only]``.

Creates ``.demo-venv``, installs every distribution under ``packages/`` into
it (again whenever their files change), migrates the SQLite database
``test_project/demo.sqlite3``, creates a demo user and an admin user, prints
their credentials and serves the test project on http://127.0.0.1:8000/.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".demo-venv"
PROJECT = ROOT / "test_project"
DATABASE = PROJECT / "demo.sqlite3"

#: Demo-only accounts on a loopback server; never reuse these anywhere.
USERS = [
    {"username": "demo", "password": "demo-2fa-password", "superuser": False},
    {"username": "admin", "password": "admin-2fa-password", "superuser": True},
]

CREATE_USERS = """
import json
from django.contrib.auth import get_user_model
User = get_user_model()
for spec in json.loads({users!r}):
    user, _ = User.objects.get_or_create(
        username=spec["username"], defaults={{"email": spec["username"] + "@example.com"}}
    )
    user.set_password(spec["password"])
    user.is_active = True
    user.is_staff = user.is_superuser = spec["superuser"]
    user.save()
"""


def distributions() -> list[Path]:
    """Every distribution under packages/; the test-only example plugin is not one."""
    return sorted(path.parent for path in (ROOT / "packages").glob("*/pyproject.toml"))


def _fingerprint(dists: list[Path]) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for dist in dists:
        for path in sorted(dist.rglob("*")):
            if "tests" in path.relative_to(dist).parts or "__pycache__" in path.parts:
                continue
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _python() -> Path:
    return VENV / "bin" / "python"


_STARTED = time.monotonic()


def step(message: str) -> None:
    """One progress line, with the seconds since the start: the first run takes a while."""
    print(f"demo.py [{time.monotonic() - _STARTED:5.1f}s] {message}", flush=True)


def install() -> None:
    """Create .demo-venv and (re)install the distributions when they changed."""
    dists = distributions()
    if not dists:
        sys.exit("demo.py: no distributions found under packages/")
    stamp = VENV / ".otp-demo"
    fingerprint = _fingerprint(dists)
    if _python().exists() and stamp.exists() and stamp.read_text() == fingerprint:
        step(f"{VENV.name} is up to date")
        return
    if not _python().exists():
        step(f"creating {VENV.name} (first run only; the install takes about a minute)")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    names = ", ".join(dist.name for dist in dists)
    step(f"installing {names} and their dependencies (pip's progress follows)")
    # pip's own lines (Processing, Collecting, Building wheel ...) show it is working.
    pip = [str(_python()), "-m", "pip", "install", "--progress-bar", "on"]
    paths = [str(dist) for dist in dists]
    subprocess.run([*pip, *paths], check=True)
    # Same version numbers as before: make pip take the edited source anyway.
    step("reinstalling the distributions from the current source")
    subprocess.run([*pip, "--quiet", "--force-reinstall", "--no-deps", *paths], check=True)
    stamp.write_text(fingerprint)


def _manage_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTP_DB")}
    # OTP_DEMO: what a site would turn on (remember-this-browser, an issuer
    # name for apps, the "this page needs more" page); see settings.py.
    env.update(OTP_DB="sqlite", OTP_DB_NAME=str(DATABASE), OTP_DEMO="1")
    return env


def manage(*args: str) -> None:
    subprocess.run([str(_python()), "manage.py", *args], cwd=PROJECT, env=_manage_env(), check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the otp demo site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--setup-only", action="store_true", help="install and migrate, no server")
    args = parser.parse_args(argv)

    install()
    step("migrating the demo database")
    manage("migrate", "--noinput", "--verbosity", "0")
    step("creating the demo accounts")
    manage("shell", "--verbosity", "0", "--command", CREATE_USERS.format(users=json.dumps(USERS)))
    print("\nDemo accounts (demo only):")
    for spec in USERS:
        role = "superuser, /admin/" if spec["superuser"] else "regular user"
        print(f"  {spec['username']:<6} password {spec['password']:<20} ({role})")
    if args.setup_only:
        return 0
    print(f"\nServing http://127.0.0.1:{args.port}/  (Ctrl-C stops it)", flush=True)
    print(f"Security keys and passkeys: open http://localhost:{args.port}/\n", flush=True)
    # Become the server, so that signals (Ctrl-C, kill) reach it directly.
    os.chdir(PROJECT)
    python = str(_python())
    # WebAuthn needs a secure context: http://localhost is one (RP id "localhost").
    env = {"OTP_WEBAUTHN_ALLOWED_ORIGINS": f"http://localhost:{args.port}", **_manage_env()}
    os.execve(python, [python, "manage.py", "runserver", f"127.0.0.1:{args.port}"], env)


if __name__ == "__main__":
    sys.exit(main())

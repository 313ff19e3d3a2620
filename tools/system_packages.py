#!/usr/bin/env python3
"""Make sure the Debian packages the test suite needs are installed.

Checks with ``dpkg-query``; when running as root on a machine with
``apt-get``, installs what is missing non-interactively, otherwise exits with
the exact command to run. Quick and silent-ish when everything is present.
Standard library only: this runs before any virtualenv exists.

    python3 tools/system_packages.py            # check and install
    python3 tools/system_packages.py --check    # check only
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

#: Debian package -> why the tests need it.
PACKAGES: dict[str, str] = {
    "postgresql": "throwaway PostgreSQL servers (tools/dbserver.py)",
    "mariadb-server": "throwaway MariaDB servers (tools/dbserver.py)",
    "oathtool": "an independent HOTP/TOTP oracle (/usr/bin/oathtool)",
    "chromium": "headless browser tests",
}

POLICY_RC_D = Path("/usr/sbin/policy-rc.d")


def _installed(package: str) -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip() == "install ok installed"


def _needs_venv_package() -> str | None:
    """Debian's own Python ships venv's pip bootstrap in a separate package."""
    try:
        import ensurepip  # noqa: F401
    except ImportError:
        return f"python3.{sys.version_info.minor}-venv"
    return None


def wanted() -> list[str]:
    packages = list(PACKAGES)
    venv_package = _needs_venv_package()
    if venv_package:
        packages.append(venv_package)
    return packages


def missing() -> list[str]:
    return [package for package in wanted() if not _installed(package)]


def _apt_command(packages: list[str]) -> list[str]:
    return ["apt-get", "install", "-y", "--no-install-recommends", *packages]


def install(packages: list[str]) -> None:
    """Install ``packages`` with apt-get, without starting their services."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"system_packages: installing {' '.join(packages)}", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdin=subprocess.DEVNULL)
    # Package scripts would otherwise start a system-wide MariaDB/PostgreSQL
    # on their default ports; tools/dbserver.py starts its own.
    made_policy = False
    if not POLICY_RC_D.exists():
        POLICY_RC_D.write_text("#!/bin/sh\nexit 101\n")
        POLICY_RC_D.chmod(0o755)
        made_policy = True
    try:
        subprocess.run(
            [*_apt_command(packages), "-q", "-o", "Dpkg::Options::=--force-confold"],
            check=True,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    finally:
        if made_policy:
            POLICY_RC_D.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report, install nothing")
    args = parser.parse_args(argv)

    absent = missing()
    if not absent:
        return 0
    command = " ".join(_apt_command(absent))
    can_install = (
        not args.check
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
        and shutil.which("apt-get") is not None
    )
    if not can_install:
        print(
            f"system_packages: missing Debian packages: {' '.join(absent)}\n"
            f"Install them with:\n    sudo apt-get update && sudo {command}",
            file=sys.stderr,
        )
        return 1
    install(absent)
    still = missing()
    if still:
        print(f"system_packages: still missing after install: {' '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Run the test suite: ``python3 tools/test.py [--full] [nox arguments...]``.

1. makes sure the Debian packages the tests need are there (tools/system_packages.py),
2. bootstraps ``.tools-venv`` with nox and uv (once; later runs reuse it),
3. runs nox: its default sessions, every session of the matrix with ``--full``,
   or whatever nox arguments follow (``-s lint``, ``-l``, ``-- -x -k totp``...).

At the end it prints one line adding up the tests of every pytest session run.
Standard library only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".tools-venv"
TOOLS = ["nox>=2024.3.2", "uv>=0.4"]


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def bootstrap() -> Path:
    """Create or refresh .tools-venv; quick when it is already up to date."""
    stamp = VENV / ".otp-tools"
    wanted = "\n".join([sys.version, *TOOLS])
    python = _venv_python()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"test.py: preparing {VENV.name} ({', '.join(TOOLS)})", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip", *TOOLS],
        check=True,
    )
    stamp.write_text(wanted)
    return python


def _junit_totals(directory: Path) -> tuple[int, int, int, int]:
    passed = failed = skipped = files = 0
    for path in sorted(directory.glob("*.xml")):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        files += 1
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        for suite in suites:
            tests = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            failed += bad
            skipped += skip
            passed += tests - bad - skip
    return passed, failed, skipped, files


def main(argv: list[str]) -> int:
    if "--no-system-packages" in argv:
        argv = [arg for arg in argv if arg != "--no-system-packages"]
    else:
        result = subprocess.run([sys.executable, str(ROOT / "tools" / "system_packages.py")])
        if result.returncode != 0:
            return result.returncode
    nox_args = list(argv)
    if "--full" in nox_args:
        nox_args.remove("--full")
        nox_args = ["--tags", "full", *nox_args]
    started = time.monotonic()
    python = bootstrap()
    with tempfile.TemporaryDirectory(prefix="otp-junit-") as junit_dir:
        env = dict(os.environ, OTP_JUNIT_DIR=junit_dir)
        command = [str(python), "-m", "nox", "--noxfile", str(ROOT / "noxfile.py"), *nox_args]
        code = subprocess.run(command, cwd=ROOT, env=env).returncode
        passed, failed, skipped, files = _junit_totals(Path(junit_dir))
    if files:
        elapsed = time.monotonic() - started
        print(f"\ntest.py: {files} pytest sessions in {elapsed:.0f}s; all their tests added up:")
        print(f"tests: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

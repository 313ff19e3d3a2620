#!/usr/bin/env python3
"""Run the test suite: ``python3 tools/test.py [--full] [nox arguments...]``.

1. makes sure the Debian packages the tests need are there (tools/system_packages.py),
2. bootstraps ``.tools-venv`` with nox and uv (once; later runs reuse it),
3. runs nox: its default sessions, every session of the matrix with ``--full``,
   or whatever nox arguments follow (``-s lint``, ``-l``, ``-- -x -k totp``...).

Without arguments the default sessions run on two lanes (two nox processes,
see run_two_lanes): the PostgreSQL and MariaDB cells beside all the others;
``--serial`` runs them one after the other in a single nox.

At the end it prints one line adding up the tests of every pytest session run.
Arguments that only print something (``-l``/``--list``, ``-h``/``--help``,
``--version``) install nothing: no Debian package, no virtualenv; without
``.tools-venv`` yet, ``-l`` lists the sessions read from ``noxfile.py``.
Standard library only.
"""

from __future__ import annotations

import ast
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
NOXFILE = ROOT / "noxfile.py"
#: nox arguments that only print: they need no Debian package and install nothing.
LIST_ARGS = {"-l", "--list", "--list-sessions"}
INFO_ARGS = {*LIST_ARGS, "-h", "--help", "--version", "--usage"}
#: Default sessions run on the second lane (run_two_lanes): the cells with a
#: database server, about as long together as all the other sessions.
SIDE_LANE = ("tests(python='3.12', django='6.1', db='postgres')", "tox")
#: Lines of the side lane's log shown when it passed.
LOG_TAIL = 15


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _tools_ready() -> Path | None:
    """.tools-venv's python when it is already set up, else None (nothing is installed)."""
    python = _venv_python()
    stamp = VENV / ".otp-tools"
    wanted = "\n".join([sys.version, *TOOLS])
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    return None


def info_only(argv: list[str]) -> bool:
    """Do these arguments only ask nox to print something (list, help, version)?"""
    own = argv[: argv.index("--")] if "--" in argv else argv
    return any(arg in INFO_ARGS for arg in own)


def default_sessions(path: Path = NOXFILE) -> list[str]:
    """``nox.options.sessions`` of the noxfile, in order, read without nox."""
    defaults: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and any(
            ast.unparse(target) == "nox.options.sessions" for target in node.targets
        ):
            defaults = [ast.literal_eval(item) for item in node.value.elts]  # type: ignore[attr-defined]
    return defaults


def sessions_from_noxfile(path: Path = NOXFILE) -> list[tuple[str, str, bool]]:
    """(name, first docstring line, run by default) of every session, read without nox.

    Parametrized sessions appear once, by name; nox itself lists each variant.
    """
    tree = ast.parse(path.read_text())
    default_names = {name.split("(")[0] for name in default_sessions(path)}
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        if not any("nox.session" in ast.unparse(d) for d in node.decorator_list):
            continue
        doc = (ast.get_docstring(node) or "").strip().splitlines()
        found.append((node.name, doc[0] if doc else "", node.name in default_names))
    return found


def print_sessions(out: object = sys.stdout) -> None:
    print("Sessions in noxfile.py (* runs by default):", file=out)  # type: ignore[arg-type]
    for name, doc, default in sessions_from_noxfile():
        mark = "*" if default else "-"
        print(f"{mark} {name} -> {doc}", file=out)  # type: ignore[arg-type]
    print(
        "(nox is not installed yet, so parametrized sessions are shown once; "
        "after a first run, -l lists every variant.)",
        file=out,  # type: ignore[arg-type]
    )


def show_info(argv: list[str]) -> int:
    """Answer -l / --help / --version without installing anything."""
    if any(arg in {"-h", "--help", "--usage"} for arg in argv):
        print(__doc__)
    python = _tools_ready()
    if python is not None:
        command = [str(python), "-m", "nox", "--noxfile", str(NOXFILE), *argv]
        return subprocess.run(command, cwd=ROOT).returncode
    if any(arg in LIST_ARGS for arg in argv):
        print_sessions()
    elif "--version" in argv:
        print("nox is not installed yet (python3 tools/test.py installs it in .tools-venv).")
    return 0


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


def _nox(python: Path, *args: str) -> list[str]:
    return [str(python), "-m", "nox", "--noxfile", str(NOXFILE), *args]


def run_two_lanes(python: Path, env: dict[str, str]) -> int:
    """The default sessions on two lanes: the database-server cells beside the others.

    The sessions are single-threaded (pytest, pip, Sphinx), so one after the
    other they keep about one of the machine's two cores busy. The PostgreSQL
    and MariaDB cells (SIDE_LANE, about half of the time) run in a second nox
    process started first; its output goes to ``.nox/server-lane.log`` and is
    shown when both lanes are done (all of it if it failed). The other
    sessions run in order in the first. The exit status is the worse lane's.
    """
    defaults = default_sessions()
    side = [name for name in defaults if name in SIDE_LANE]
    main_lane = [name for name in defaults if name not in SIDE_LANE]
    if not side or not main_lane:
        return subprocess.run(_nox(python), cwd=ROOT, env=env).returncode
    log_path = ROOT / ".nox" / "server-lane.log"
    log_path.parent.mkdir(exist_ok=True)
    print(f"test.py: {', '.join(side)} runs beside the other sessions (log: {log_path})")
    with log_path.open("w") as log:
        started = time.monotonic()
        lane = subprocess.Popen(
            _nox(python, "-s", *side), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            code = subprocess.run(_nox(python, "-s", *main_lane), cwd=ROOT, env=env).returncode
        finally:
            side_code = lane.wait()
        side_time = time.monotonic() - started
    lines = log_path.read_text(errors="replace").splitlines()
    shown = lines if side_code else lines[-LOG_TAIL:]
    print(f"\ntest.py: {', '.join(side)} ({side_time:.0f}s, exit {side_code}), from {log_path}:")
    print("\n".join(shown), flush=True)
    return code or side_code


def main(argv: list[str]) -> int:
    if info_only(argv):
        own = {"--no-system-packages", "--full", "--serial"}
        return show_info([arg for arg in argv if arg not in own])
    if "--no-system-packages" in argv:
        argv = [arg for arg in argv if arg != "--no-system-packages"]
    else:
        result = subprocess.run([sys.executable, str(ROOT / "tools" / "system_packages.py")])
        if result.returncode != 0:
            return result.returncode
    serial = "--serial" in argv
    nox_args = [arg for arg in argv if arg != "--serial"]
    if "--full" in nox_args:
        nox_args.remove("--full")
        nox_args = ["--tags", "full", *nox_args]
    started = time.monotonic()
    python = bootstrap()
    with tempfile.TemporaryDirectory(prefix="otp-junit-") as junit_dir:
        env = dict(os.environ, OTP_JUNIT_DIR=junit_dir)
        if not nox_args and not serial:
            code = run_two_lanes(python, env)
        else:
            code = subprocess.run(_nox(python, *nox_args), cwd=ROOT, env=env).returncode
        passed, failed, skipped, files = _junit_totals(Path(junit_dir))
    if files:
        elapsed = time.monotonic() - started
        print(f"\ntest.py: {files} pytest sessions in {elapsed:.0f}s; all their tests added up:")
        print(f"tests: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

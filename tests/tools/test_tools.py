"""The tools a newcomer runs first: ``tools/test.py -l`` and ``--help``, ``tools/demo.py``.

Standard library and pytest only (the ``newcomer`` nox session runs them
without Django).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A copy of tools/test.py and noxfile.py, with a system_packages.py that leaves a mark."""
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "test.py", tmp_path / "tools" / "test.py")
    shutil.copy(ROOT / "noxfile.py", tmp_path / "noxfile.py")
    (tmp_path / "tools" / "system_packages.py").write_text(
        "from pathlib import Path\n"
        "Path(__file__).with_name('SYSTEM_PACKAGES_RAN').write_text('yes')\n"
        "raise SystemExit(1)\n"
    )
    return tmp_path


@pytest.mark.parametrize("args", [["-l"], ["--list"], ["--help"], ["-h"], ["--version"]])
def test_info_arguments_install_nothing(sandbox: Path, args: list[str]):
    result = subprocess.run(
        [sys.executable, str(sandbox / "tools" / "test.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not (sandbox / "tools" / "SYSTEM_PACKAGES_RAN").exists()
    assert not (sandbox / ".tools-venv").exists()
    if args[0] in {"-l", "--list"}:
        assert "* lint -> " in result.stdout
        assert "* packaging -> " in result.stdout
        assert "- bench -> " in result.stdout
    if args[0] in {"-h", "--help"}:
        assert "python3 tools/test.py" in result.stdout


def test_other_arguments_still_check_the_system_packages(sandbox: Path):
    result = subprocess.run(
        [sys.executable, str(sandbox / "tools" / "test.py"), "-s", "lint"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert (sandbox / "tools" / "SYSTEM_PACKAGES_RAN").exists()


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert readme.startswith(
        "```sh\npython3 tools/demo.py    # the demo site on http://127.0.0.1:8000/ "
        "(prints its logins)\npython3 tools/test.py    # the default test sessions "
        "(installs what they need)\n```\n"
    )


def test_readme_lists_every_default_session():
    test_py = _load("otp_tools_test", ROOT / "tools" / "test.py")
    defaults = [name for name, _doc, default in test_py.sessions_from_noxfile() if default]
    assert "packaging" in defaults
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"^\| `([a-z_]+)[`(]", readme, re.MULTILINE))
    assert set(defaults) <= listed, set(defaults) - listed


@pytest.mark.parametrize("side_code", [0, 3])
def test_default_run_puts_the_database_server_cells_on_a_second_lane(
    tmp_path, monkeypatch, capsys, side_code
):
    test_py = _load("otp_tools_test", ROOT / "tools" / "test.py")
    monkeypatch.setattr(test_py, "ROOT", tmp_path)
    started: list[list[str]] = []

    class SideLane:
        def __init__(self, command, **kwargs):
            started.append(command)
            kwargs["stdout"].write("first line of the side lane\n" + "more\n" * 40)

        def wait(self):
            return side_code

    def run(command, **kwargs):
        assert len(started) == 1, "the side lane starts first"
        started.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(test_py.subprocess, "Popen", SideLane)
    monkeypatch.setattr(test_py.subprocess, "run", run)
    code = test_py.run_two_lanes(Path("python"), {})

    side, main = started
    defaults = test_py.default_sessions()
    servers = [name for name in defaults if "postgres" in name or name == "tox"]
    assert len(servers) == 2, "both database-server cells are default sessions"
    assert side[side.index("-s") + 1 :] == servers
    assert main[main.index("-s") + 1 :] == [name for name in defaults if name not in servers]
    assert code == side_code
    out = capsys.readouterr().out
    # All of a failed lane's log, the end of a passed one's.
    assert ("first line of the side lane" in out) == bool(side_code)
    assert (tmp_path / ".nox" / "server-lane.log").exists()


def test_demo_shows_progress_while_it_installs(tmp_path: Path, monkeypatch, capsys):
    demo = _load("otp_tools_demo", ROOT / "tools" / "demo.py")
    monkeypatch.setattr(demo, "VENV", tmp_path / ".demo-venv")
    commands: list[list[str]] = []

    def run(command, **kwargs):
        commands.append([str(part) for part in command])
        print(f"RAN {' '.join(commands[-1][:4])}")  # where the step lines must be
        if command[1:3] == ["-m", "venv"]:
            (tmp_path / ".demo-venv" / "bin").mkdir(parents=True)
            (tmp_path / ".demo-venv" / "bin" / "python").write_text("")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(demo.subprocess, "run", run)
    demo.install()
    lines = capsys.readouterr().out.splitlines()
    steps = [i for i, line in enumerate(lines) if line.startswith("demo.py [")]
    ran = [i for i, line in enumerate(lines) if line.startswith("RAN ")]
    assert len(ran) == 3
    # A step line before each command: creating the venv, installing, reinstalling.
    assert all(any(s < r for s in steps) for r in ran)
    assert "creating .demo-venv" in lines[steps[0]]
    assert "pip's progress follows" in lines[steps[1]]
    install = commands[1]
    assert "--quiet" not in install  # pip's own lines stay visible
    # Nothing changed since: one line, nothing run.
    commands.clear()
    demo.install()
    assert commands == []
    assert "up to date" in capsys.readouterr().out

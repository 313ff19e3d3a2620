"""The test matrix and the other checks: ``python3 tools/test.py`` runs the default set.

    python3 tools/test.py                      # default sessions (nox.options.sessions), two lanes
    python3 tools/test.py --full               # every session
    python3 tools/test.py -s lint              # one session (any nox arguments pass through)
    python3 tools/test.py -s "tests(python='3.12', django='6.1', db='postgres')" -- -x -k totp

Sessions install the distributions under ``packages/`` as wheels (not
editable), so tests run against what a user would install.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))

import dbserver  # noqa: E402  (tools/ is not a package)

PACKAGES_DIR = ROOT / "packages"
EXAMPLE_PLUGIN = PACKAGES_DIR / "otp-core" / "tests" / "example_plugin"
TEST_REQUIREMENTS = ROOT / "tools" / "requirements-test.txt"
DOCS_REQUIREMENTS = ROOT / "docs" / "requirements.txt"
# check-jsonschema validates the GitHub workflows against its vendored schema
# (actionlint itself would be a binary download, which this network forbids).
LINT_TOOLS = ["ruff==0.17.6", "mypy==2.4.1", "check-jsonschema>=0.28"]
# Browser tests live in packages/<dist>/tests/browser/ and run only in the
# browser session: Playwright is not a dependency of the other sessions.
BROWSER_TESTS = "*/tests/browser"
NOT_BROWSER = f"--ignore-glob=packages/{BROWSER_TESTS}"
# axe-playwright-python ships axe-core (no download) for the accessibility scan.
BROWSER_REQUIREMENTS = ["playwright>=1.40", "axe-playwright-python>=0.1.8"]
CHROMIUM = "/usr/bin/chromium"

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
DJANGOS = {
    # pytest-django 4.13 relies on Django 5.2's TestCase internals, 4.14 on
    # django.contrib.messages.test (5.0+): 4.12 is the last one for Django 4.2.
    "4.2": ["Django>=4.2,<4.3", "pytest-django<4.13"],
    "5.2": ["Django>=5.2,<5.3"],
    "6.0": ["Django>=6.0,<6.1"],
    "6.1": ["Django>=6.1,<6.2"],
}
DATABASES = ["sqlite", "postgres", "mariadb"]
#: Tests that touch no database (marker ``engine_independent``: pure OATH
#: functions, URIs, the YubiKey decoder, translation catalogues, the upgrade
#: rewriter) run in the SQLite cells; the server cells leave them out, saying
#: so ("N deselected"). The root conftest stops the run if one uses the database.
SERVER_DB_DESELECT = ["-m", "not engine_independent"]
#: The Pythons each Django series runs on in the matrix (Django 6.x needs 3.12+;
#: 4.2 predates 3.13). tox.ini lists the same cells: tools/check_packages.py
#: fails when the two differ.
MATRIX = {
    "4.2": ["3.10", "3.11", "3.12"],
    "5.2": ["3.10", "3.11", "3.12", "3.13"],
    "6.0": ["3.12", "3.13"],
    "6.1": ["3.12", "3.13"],
}

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.download_python = "never"
# Locally a missing interpreter skips its sessions; in CI it fails the run.
nox.options.error_on_missing_interpreters = IN_CI
# Locally re-runs reuse environments (local packages are still rebuilt and
# reinstalled every time, see _install); CI starts from a clean clone anyway.
nox.options.reuse_venv = "no" if IN_CI else "yes"


def _distributions() -> list[Path]:
    """Every distribution directory under packages/ (not the test-only example plugin)."""
    return sorted(path.parent for path in PACKAGES_DIR.glob("*/pyproject.toml"))


def _test_dists(dist: Path) -> list[Path]:
    """Test-only distributions a package ships in its tests (example plugins, gateways)."""
    return sorted(path.parent for path in (dist / "tests").glob("*/pyproject.toml"))


def _dist_name(path: Path) -> str:
    text = (path / "pyproject.toml").read_text()
    match = re.search(r'^\[project\][^\[]*?^name\s*=\s*"([^"]+)"', text, re.M | re.S)
    if not match:
        raise RuntimeError(f"{path}/pyproject.toml has no [project] name")
    return match.group(1)


def _cells() -> list[nox.param]:
    return [
        nox.param(python, django, db, tags=["full"])
        for python in PYTHONS
        for django in DJANGOS
        if python in MATRIX[django]
        for db in DATABASES
    ]


def _expose_pyenv_interpreters() -> None:
    """Let nox find pyenv's interpreters when its ``python3.X`` shims are not active.

    A shim that is not selected by ``pyenv global`` exists on PATH but fails,
    so nox would not skip it cleanly: put links to the real binaries first.
    """
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    links = ROOT / ".nox" / ".interpreters"
    found = False
    for version in PYTHONS:
        binaries = sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"))
        if not binaries:
            continue
        links.mkdir(parents=True, exist_ok=True)
        link = links / f"python{version}"
        if not link.exists() or link.resolve() != binaries[-1].resolve():
            temporary = links / f".python{version}.{os.getpid()}"
            temporary.unlink(missing_ok=True)
            temporary.symlink_to(binaries[-1])
            temporary.replace(link)  # atomic: concurrent nox runs may do the same
        found = True
    if found:
        os.environ["PATH"] = f"{links}{os.pathsep}{os.environ.get('PATH', '')}"


_expose_pyenv_interpreters()


def _install(session: nox.Session, dists: list[Path], *requirements: str) -> None:
    """Install local distributions as wheels, rebuilt from the current source."""
    paths = [str(path) for path in dists]
    if session.venv_backend == "uv":
        # uv caches wheels of local directories by pyproject.toml alone:
        # force a rebuild so edited source is what gets tested.
        refresh = [f"--reinstall-package={_dist_name(path)}" for path in dists]
        session.install(*refresh, *paths, *requirements)
    else:
        session.install(*paths, *requirements)
        session.install("--force-reinstall", "--no-deps", *paths)
    # The import must come from site-packages, never from packages/*/src.
    session.run(
        "python",
        "-c",
        "import otp_core, sys; f = otp_core.__file__; print('otp_core from', f); "
        "sys.exit(0 if 'site-packages' in f else 'otp_core is not the installed wheel')",
        silent=True,
    )


def _uv() -> str | None:
    """uv's executable: on PATH, or the one installed beside nox (``.tools-venv``).

    ``tools/test.py`` installs uv next to nox without putting it on PATH; the
    empty virtualenvs of ``packaging`` and ``newcomer`` then fall back to
    ``venv`` + pip, several times slower than uv with its wheel cache.
    """
    found = shutil.which("uv")
    if found:
        return found
    try:
        from uv import find_uv_bin  # the uv package's own locator (nox uses it too)

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return None


def _all_dists() -> list[Path]:
    dists = _distributions()
    return [*dists, *(test_dist for dist in dists for test_dist in _test_dists(dist))]


def _pytest(session: nox.Session, *args: str, env: dict[str, str] | None = None) -> None:
    """Run pytest; exit code 5 (nothing collected) fails like any other."""
    report = []
    junit_dir = os.environ.get("OTP_JUNIT_DIR")  # tools/test.py adds the results up
    if junit_dir:
        name = re.sub(r"[^A-Za-z0-9.]+", "-", session.name).strip("-")
        report = [f"--junitxml={Path(junit_dir) / name}.xml"]
    session.run("pytest", *report, *args, env=env)


@contextlib.contextmanager
def _database(session: nox.Session, db: str) -> Iterator[dict[str, str]]:
    if db == "sqlite":
        yield {"OTP_DB": "sqlite"}
        return
    try:
        with dbserver.server(db) as env:
            session.log(f"{db} server on 127.0.0.1:{env['OTP_DB_PORT']}")
            yield env
    except dbserver.DBServerError as error:
        session.error(str(error))


@nox.session
@nox.parametrize("python,django,db", _cells())
def tests(session: nox.Session, django: str, db: str) -> None:
    """Every package's tests, on one Python x Django x database cell."""
    _install(session, _all_dists(), "-r", str(TEST_REQUIREMENTS), *DJANGOS[django])
    deselect = SERVER_DB_DESELECT if db != "sqlite" else []
    with _database(session, db) as env:
        _pytest(session, NOT_BROWSER, *deselect, *session.posargs, env=env)


@nox.session(python=None, tags=["full"])
def browser(session: nox.Session) -> None:
    """Real-browser tests: Playwright driving Debian's headless Chromium."""
    if not Path(CHROMIUM).exists():
        session.error(f"{CHROMIUM} is missing: apt-get install -y chromium")
    _install(session, _all_dists(), "-r", str(TEST_REQUIREMENTS), *BROWSER_REQUIREMENTS)
    dirs = sorted(str(p.relative_to(ROOT)) for p in PACKAGES_DIR.glob(BROWSER_TESTS))
    if not dirs:
        session.error(f"no browser tests found ({BROWSER_TESTS})")
    _pytest(session, "-m", "browser", *dirs, *session.posargs)


@nox.session(python=None, tags=["full"])
@nox.parametrize("package", [path.name for path in _distributions()])
def isolation(session: nox.Session, package: str) -> None:
    """One distribution alone with otp-core: its tests pass without the others.

    Tests under ``tests/integration/`` (which need other distributions) are
    left to the matrix sessions.
    """
    path = PACKAGES_DIR / package
    tests_dir = path / "tests"
    if not any(tests_dir.rglob("test_*.py")):
        session.error(f"{package} has no tests (looked for {tests_dir}/**/test_*.py)")
    # otp-core's test-only plugin (otp_example) is part of the core's test kit:
    # any package's tests may use it without depending on another real plugin.
    core = PACKAGES_DIR / "otp-core"
    dists = sorted({core, *_test_dists(core), path, *_test_dists(path)})
    _install(session, dists, "-r", str(TEST_REQUIREMENTS))
    # tests/integration/ holds tests that need other distributions: the
    # matrix sessions run them, with everything installed.
    ignore = [f"--ignore={tests_dir.relative_to(ROOT) / 'integration'}", NOT_BROWSER]
    _pytest(session, str(tests_dir.relative_to(ROOT)), *ignore, *session.posargs)


#: The cell CI runs through tox (tox.ini) instead of the tests session.
TOX_CI_ENV = "py310-dj42-mariadb"


@nox.session(python=None, tags=["full"])
def tox(session: nox.Session) -> None:
    """One cell through tox.ini (``tox -- -e py312-dj61-sqlite`` for another)."""
    session.install("tox>=4.11", "tox-uv>=1.0")
    args = list(session.posargs) or ["-e", TOX_CI_ENV]
    env: dict[str, str | None] = {"OTP_TOX_JUNIT": None}
    junit_dir = os.environ.get("OTP_JUNIT_DIR")
    if junit_dir and "-e" in args:
        name = args[args.index("-e") + 1]
        env["OTP_TOX_JUNIT"] = f"--junitxml={Path(junit_dir) / f'tox-{name}'}.xml"
    session.run("tox", "--recreate", *args, env=env)


@nox.session(python=None, tags=["full"])
def lint(session: nox.Session) -> None:
    """ruff, mypy on otp-core, package metadata, GitHub workflows, and migrations."""
    _install(session, _all_dists(), "-r", str(TEST_REQUIREMENTS), *LINT_TOOLS)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "packages/otp-core/src")
    session.run("python", "tools/check_packages.py")
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "vendor.readthedocs", ".readthedocs.yaml")
    with tempfile.TemporaryDirectory(prefix="otp-lint-") as tmp:
        env = {"OTP_DB": "sqlite", "OTP_DB_NAME": str(Path(tmp) / "lint.sqlite3")}
        session.run(
            "python",
            "test_project/manage.py",
            "makemigrations",
            "--check",
            "--dry-run",
            env=env,
        )


@nox.session(python=None, tags=["full"])
def packaging(session: nox.Session) -> None:
    """Each distribution builds an sdist and a wheel that install into an empty venv."""
    session.install("build>=1.0", "hatchling>=1.21")
    uv = _uv()
    with tempfile.TemporaryDirectory(prefix="otp-dist-") as tmp:
        dist_dir = Path(tmp) / "dist"
        for path in _distributions():
            # The build backend is installed above: no isolated env per build.
            session.run(
                "python",
                "-m",
                "build",
                "--no-isolation",
                "--outdir",
                str(dist_dir),
                str(path),
                silent=True,
            )
        wheels = sorted(dist_dir.glob("*.whl"))
        sdists = sorted(dist_dir.glob("*.tar.gz"))
        if len(wheels) != len(_distributions()) or len(sdists) != len(wheels):
            session.error(f"expected a wheel and an sdist per distribution, got {wheels} {sdists}")
        core = next(w for w in wheels if w.name.startswith("otp_core-"))
        for wheel in wheels:
            venv = Path(tmp) / f"venv-{wheel.name.split('-')[0]}"
            python = str(venv / "bin" / "python")
            # An empty environment; local distributions come from the wheels
            # just built, third-party dependencies from the package index.
            if uv:
                session.run(
                    uv, "venv", "--quiet", "--python", sys.executable, str(venv), external=True
                )
                install = [uv, "pip", "install", "--quiet", "--python", python]
            else:
                session.run("python", "-m", "venv", str(venv), silent=True)
                install = [python, "-m", "pip", "install", "--quiet"]
            session.run(
                *install, "--find-links", str(dist_dir), str(core), str(wheel), external=True
            )
            module = wheel.name.split("-")[0]
            session.run(
                python,
                "-c",
                f"import {module}; print({module}.__name__, 'from', {module}.__file__)",
                external=True,
            )


@nox.session(python=None, tags=["full"])
def newcomer(session: nox.Session) -> None:
    """What a newcomer meets (tests/): the getting-started walk, and the tools/ scripts.

    The walk follows docs/getting-started.rst's core-only steps in a new
    ``startproject`` (about a minute). It makes its own venv with only
    otp-core and otp-totp, so this session needs just pytest and pyotp; no
    conftest, no pytest-django.
    """
    session.install("pytest>=8", "pyotp>=2.9")
    # The walk makes its venv with the uv it finds on PATH (else venv + pip).
    uv = _uv()
    env = {"PATH": os.pathsep.join([str(Path(uv).parent), os.environ["PATH"]])} if uv else None
    _pytest(session, "-p", "no:django", "--noconftest", "tests", *session.posargs, env=env)


def _new_venv(session: nox.Session, venv: Path) -> tuple[str, list[str]]:
    """An empty virtualenv: its python and the command that installs into it."""
    python = str(venv / "bin" / "python")
    uv = _uv()
    if uv:
        session.run(uv, "venv", "--quiet", "--python", sys.executable, str(venv), external=True)
        return python, [uv, "pip", "install", "--quiet", "--python", python]
    session.run("python", "-m", "venv", str(venv), silent=True)
    return python, [python, "-m", "pip", "install", "--quiet"]


def _hatch_build(session: nox.Session, path: Path, out: Path, data: Path) -> None:
    """``hatch build`` of ``path`` into ``out``; hatch keeps its build envs in ``data``.

    A fresh ``data`` per run, so no environment of an earlier run is reused.
    """
    with session.chdir(path):
        session.run(
            "hatch",
            "build",
            "--target",
            "sdist",
            "--target",
            "wheel",
            str(out),
            # Not this session's venv: hatch's uv would install into it.
            env={"HATCH_DATA_DIR": str(data), "UV_PYTHON": None, "VIRTUAL_ENV": None},
        )


@nox.session(python=None)
def release(session: nox.Session) -> None:
    """One distribution as it would be published: ``release -- otp-totp [--tag otp-totp-v0.1.0]``.

    Checks the CHANGELOG (and, with ``--tag``, that the tag names this version
    and the version is no longer "unreleased"), builds the sdist and wheel with
    hatch, runs ``twine check``, installs the wheel with its declared
    dependencies alone into an empty virtualenv (otp-core from a wheel built
    here, as the published one would be) and runs the package's own tests
    against it. The wheel and sdist are left in ``dist/<distribution>/``.
    """
    import check_packages

    args = list(session.posargs)
    tag = None
    if "--tag" in args:
        at = args.index("--tag")
        tag = args[at + 1] if at + 1 < len(args) else ""
        del args[at : at + 2]
    names = [path.name for path in _distributions()]
    if len(args) != 1 or args[0] not in names:
        session.error(f"usage: nox -s release -- <{'|'.join(names)}> [--tag <dist>-v<version>]")
    path = PACKAGES_DIR / args[0]
    version = check_packages.version_of(path)
    problems = check_packages.changelog_problems(path, version, tag)
    if problems:
        session.error("; ".join(problems))
    session.install("hatch>=1.9", "twine>=5")
    out = ROOT / "dist" / path.name
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="otp-release-") as tmp:
        hatch_data = Path(tmp) / "hatch"
        _hatch_build(session, path, out, hatch_data)
        built = sorted(out.iterdir())
        if len(built) != 2:
            session.error(f"expected one sdist and one wheel, got {[p.name for p in built]}")
        session.run("twine", "check", "--strict", *map(str, built))
        wheel = next(p for p in built if p.suffix == ".whl")
        deps = Path(tmp) / "deps"
        core = PACKAGES_DIR / "otp-core"
        if path != core:
            _hatch_build(session, core, deps, hatch_data)
        python, install = _new_venv(session, Path(tmp) / "venv")
        links = ["--find-links", str(deps)] if deps.exists() else []
        # The wheel and what it declares, nothing else: it must import alone.
        session.run(*install, *links, str(wheel), external=True)
        module = wheel.name.split("-")[0]
        where = f"import {module}, sys; sys.exit('site-packages' not in {module}.__file__)"
        session.run(python, "-c", where, external=True)
        # Then what its tests need (pytest, the core's test-only plugin).
        test_dists = [str(p) for p in (*_test_dists(core), *_test_dists(path))]
        session.run(*install, *links, "-r", str(TEST_REQUIREMENTS), *test_dists, external=True)
        tests_dir = (path / "tests").relative_to(ROOT)
        report = []
        junit_dir = os.environ.get("OTP_JUNIT_DIR")
        if junit_dir:
            report = [f"--junitxml={Path(junit_dir) / f'release-{path.name}'}.xml"]
        session.run(
            python,
            "-m",
            "pytest",
            *report,
            str(tests_dir),
            f"--ignore={tests_dir / 'integration'}",
            NOT_BROWSER,
            external=True,
            env={"OTP_DB": "sqlite"},
        )
    session.log(f"{path.name} {version}: {', '.join(p.name for p in built)} in {out}")


@nox.session(python=None, tags=["full"])
def docs(session: nox.Session) -> None:
    """The Sphinx site; warnings are errors."""
    _install(session, _all_dists(), "-r", str(DOCS_REQUIREMENTS))
    build = ROOT / "docs" / "_build" / "html"
    shutil.rmtree(build, ignore_errors=True)
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", str(build))


@nox.session(python=None)
def bench(session: nox.Session) -> None:
    """Benchmarks against django-otp, django-two-factor-auth and pyotp (tools/bench/run.py).

    bench_signin.py serves three sites with gunicorn on loopback: ours
    (otp-core + otp-totp + two-factor-ui), the peers at the versions issue 15
    measured, and plain Django, all on Django 5.2 and PostgreSQL.
    """
    _install(
        session,
        [
            PACKAGES_DIR / "otp-core",
            PACKAGES_DIR / "otp-totp",
            PACKAGES_DIR / "two-factor-ui",
            PACKAGES_DIR / "otp-webauthn",  # bench_webauthn.py
            EXAMPLE_PLUGIN,
        ],
        "-r",
        str(TEST_REQUIREMENTS),
        "Django~=5.2.0",
        "pyotp",
        "django-otp==1.7.5",
        "django-two-factor-auth==1.18.1",
        "gunicorn",
    )
    session.run("python", "tools/bench/run.py", *session.posargs)


# tools/test.py (no arguments) runs the two database-server cells below in a
# second nox process beside the others (tools/test.py SIDE_LANE); plain
# `nox` and `tools/test.py --serial` run them all in this order.
nox.options.sessions = [
    "lint",
    "tests(python='3.11', django='5.2', db='sqlite')",
    "tests(python='3.12', django='6.1', db='postgres')",
    "tox",  # the Python 3.10 x Django 4.2 x MariaDB cell, through tox.ini
    "isolation",
    "packaging",
    "newcomer",
    "docs",
    "browser",
]

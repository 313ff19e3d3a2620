#!/usr/bin/env python3
"""Check that every distribution under ``packages/`` says what the matrix tests.

    python3 tools/check_packages.py

For each ``packages/<dist>/pyproject.toml``: the ``Framework :: Django :: X``
classifiers name exactly the Django series of ``DJANGOS`` in ``noxfile.py``,
the ``Programming Language :: Python :: 3.Y`` classifiers exactly its
``PYTHONS``, ``requires-python`` is ``>=`` the oldest of them, README.md,
LICENSE and CHANGELOG.md exist, and the CHANGELOG has a heading for the
package's version (``nox -s release`` uses the same check). tox.ini must
list exactly the noxfile's ``MATRIX`` cells and install every distribution,
and so must .readthedocs.yaml (the docs import every package). A plugin's
``otp-core`` range must contain the current otp-core version, and no import
name or app label may be one of the projects users move over from. Exits 1 with
one line per problem. Standard library only (Python 3.11+ for ``tomllib``);
the matrix is read from the noxfile's source, so nox need not be importable.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
from pathlib import Path
from typing import Any

import tomllib

ROOT = Path(__file__).resolve().parent.parent


def _noxfile_values(noxfile: Path = ROOT / "noxfile.py") -> dict[str, Any]:
    """The literal module-level tables of the noxfile (PYTHONS, DJANGOS, MATRIX ...)."""
    values: dict[str, Any] = {}
    for node in ast.parse(noxfile.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.isupper():
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue  # not a literal (a path, a call)
    return values


def matrix() -> tuple[list[str], list[str]]:
    """``(PYTHONS, Django series)`` as the noxfile declares them."""
    values = _noxfile_values()
    return list(values["PYTHONS"]), list(values["DJANGOS"])


def nox_cells() -> set[str]:
    """The noxfile's test cells, named as tox names them: ``py312-dj61-postgres``."""
    values = _noxfile_values()
    return {
        f"py{python.replace('.', '')}-dj{django.replace('.', '')}-{db}"
        for django, pythons in values["MATRIX"].items()
        for python in pythons
        for db in values["DATABASES"]
    }


def _expand(pattern: str) -> list[str]:
    """tox's generative names: ``py3{10,11}-dj{42}`` -> ``py310-dj42``, ``py311-dj42``."""
    start = pattern.find("{")
    if start < 0:
        return [pattern]
    end = pattern.index("}", start)
    head, tail = pattern[:start], pattern[end + 1 :]
    return [
        name
        for choice in pattern[start + 1 : end].split(",")
        for name in _expand(head + choice.strip() + tail)
    ]


def tox_problems(tox_ini: Path = ROOT / "tox.ini") -> list[str]:
    """Where tox.ini's cells or installed distributions differ from the noxfile's."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(tox_ini)
    patterns = parser.get("tox", "env_list").split()
    cells = {name for pattern in patterns for name in _expand(pattern)}
    found = []
    if cells != nox_cells():
        missing, extra = sorted(nox_cells() - cells), sorted(cells - nox_cells())
        found.append(f"tox.ini env_list differs from MATRIX: missing {missing}, extra {extra}")
    deps = {line.strip() for line in parser.get("testenv", "deps").splitlines()}
    wanted = {
        "./" + str(p.parent.relative_to(ROOT))
        for p in (ROOT / "packages").glob("**/pyproject.toml")
    }
    if not wanted <= deps:
        found.append(f"tox.ini does not install {sorted(wanted - deps)}")
    return [f"tox.ini: {problem}" for problem in found]


def problems_of(dist: Path, pythons: list[str], djangos: list[str]) -> list[str]:
    """What ``dist``'s metadata gets wrong, one sentence each."""
    found: list[str] = []
    project = tomllib.loads((dist / "pyproject.toml").read_text())["project"]
    classifiers = project.get("classifiers", [])
    declared_django = {
        c.rsplit(" :: ", 1)[1] for c in classifiers if c.startswith("Framework :: Django :: ")
    }
    declared_python = {
        c.rsplit(" :: ", 1)[1]
        for c in classifiers
        if c.startswith("Programming Language :: Python :: 3.")
    }
    if declared_django != set(djangos):
        found.append(f"Django classifiers {sorted(declared_django)} != matrix {djangos}")
    if declared_python != set(pythons):
        found.append(f"Python classifiers {sorted(declared_python)} != matrix {pythons}")
    oldest = min(pythons, key=lambda v: tuple(int(p) for p in v.split(".")))
    if project.get("requires-python") != f">={oldest}":
        found.append(f"requires-python {project.get('requires-python')!r} != '>={oldest}'")
    for name in ("README.md", "LICENSE", "CHANGELOG.md"):
        if not (dist / name).is_file():
            found.append(f"no {name}")
    return [f"{dist.name}: {problem}" for problem in found]


#: Import names and app labels of the projects users move over from
#: (django-otp, django-two-factor-auth, django-otp-yubikey, django-otp-webauthn):
#: ours must differ, so both can be installed while data is imported.
FOREIGN_IMPORTS = {"django_otp", "two_factor", "django_otp_webauthn"}
FOREIGN_LABELS = {
    "otp_totp",
    "otp_hotp",
    "otp_static",
    "otp_email",
    "otp_yubikey",
    "two_factor",
    "otp_webauthn",
    "django_otp",
}
#: The one deliberate exception: issue 11 keeps django-otp-yubikey's import name
#: ``otp_yubikey`` so its users' imports keep working; the check otp_yubikey.E001
#: refuses to start while django-otp-yubikey is also installed.
SHARED_IMPORTS = {"otp_yubikey"}


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _in_range(version: str, specifier: str) -> bool:
    """Whether ``version`` meets a specifier such as ``>=0.1,<0.2`` (the forms we use)."""
    ops = {
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
        "==": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
    }
    have = _version_tuple(version)
    for clause in filter(None, (c.strip() for c in specifier.split(","))):
        op = next(o for o in ops if clause.startswith(o))
        wanted = _version_tuple(clause[len(op) :])
        if not ops[op](have + (0,) * (3 - len(have)), wanted + (0,) * (3 - len(wanted))):
            return False
    return True


def dependency_problems(dist: Path, core_version: str) -> list[str]:
    """A plugin's otp-core range must contain the otp-core it is tested with."""
    found = []
    project = tomllib.loads((dist / "pyproject.toml").read_text())["project"]
    for requirement in project.get("dependencies", []):
        match = re.fullmatch(r"otp-core\s*([<>=!].*)?", requirement.strip())
        if match and not _in_range(core_version, match.group(1) or ""):
            found.append(f"'{requirement}' excludes otp-core {core_version}")
    return [f"{dist.name}: {problem}" for problem in found]


def name_problems(dist: Path) -> list[str]:
    """Import names and app labels that would collide with the projects we replace."""
    found = []
    for package in sorted((dist / "src").iterdir()):
        if not (package / "__init__.py").is_file():
            continue
        if package.name in FOREIGN_IMPORTS and package.name not in SHARED_IMPORTS:
            found.append(f"import name {package.name!r} is another project's")
        apps_py = package / "apps.py"
        text = apps_py.read_text() if apps_py.is_file() else ""
        # Without an explicit label, Django's is the module name.
        labels = re.findall(r'^\s+label = "([^"]+)"', text, re.M) or [package.name]
        found += [
            f"app label {label!r} is another project's"
            for label in labels
            if label in FOREIGN_LABELS
        ]
    return [f"{dist.name}: {problem}" for problem in found]


def changelog_problems(dist: Path, version: str, tag: str | None = None) -> list[str]:
    """What stops ``dist`` at ``version`` from being released (under ``tag``, if given).

    The CHANGELOG needs a ``## <version>`` heading. A release from a tag also
    needs the tag to be ``<distribution>-v<version>`` and the heading not to
    say "unreleased"; a dry run (no tag) accepts that.
    """
    found: list[str] = []
    headings = [
        line[3:].strip()
        for line in (dist / "CHANGELOG.md").read_text().splitlines()
        if line.startswith("## ")
    ]
    entry = next((h for h in headings if h.split()[0] == version), None)
    if entry is None:
        found.append(f"CHANGELOG.md has no '## {version}' heading")
    if tag is not None:
        if tag != f"{dist.name}-v{version}":
            found.append(f"tag {tag!r} is not '{dist.name}-v{version}'")
        if entry is not None and "unreleased" in entry.lower():
            found.append(f"CHANGELOG.md still calls {version} unreleased")
    return [f"{dist.name}: {problem}" for problem in found]


def version_of(dist: Path) -> str:
    """The ``[project] version`` of ``dist``."""
    return str(tomllib.loads((dist / "pyproject.toml").read_text())["project"]["version"])


def main() -> int:
    pythons, djangos = matrix()
    dists = sorted(p.parent for p in (ROOT / "packages").glob("*/pyproject.toml"))
    problems = [line for dist in dists for line in problems_of(dist, pythons, djangos)]
    problems += [line for dist in dists for line in changelog_problems(dist, version_of(dist))]
    core_version = version_of(ROOT / "packages" / "otp-core")
    problems += [line for dist in dists for line in dependency_problems(dist, core_version)]
    problems += [line for dist in dists for line in name_problems(dist)]
    problems += tox_problems()
    rtd = (ROOT / ".readthedocs.yaml").read_text()
    for project in sorted((ROOT / "packages").glob("**/pyproject.toml")):
        path = str(project.parent.relative_to(ROOT))
        if f"path: {path}\n" not in rtd:
            problems.append(f".readthedocs.yaml: does not install {path}")
    for line in problems:
        print(line)
    if not problems:
        print(f"{len(dists)} distributions agree with the matrix ({pythons}, {djangos}).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Rewrite a project's Python files and templates from the name table.

Python is edited at the positions :mod:`ast` gives, so only imports, dotted
references rooted at an imported old package, identifiers that are renamed
settings, and string literals that are *exactly* an old name (a dotted path,
a setting value, a URL name, a template name) change; no other text does.
Templates are edited with regular expressions: ``{% extends/include/url %}``
arguments and the blocks of django-two-factor-auth's base templates. What
cannot be mapped is reported as ``path:line: message``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .names import NAMES, PYTHON_KINDS, Name

__all__ = [
    "FileResult",
    "Problem",
    "iter_files",
    "rewrite_file",
    "rewrite_python",
    "rewrite_template",
]

#: Top-level packages whose names are rewritten.
OLD_ROOTS = ("django_otp", "two_factor")
_DOTTED_OLD = re.compile(r"^(?:django_otp|two_factor)(?:\.[A-Za-z_]\w*)+$")
_TEMPLATE_OLD = re.compile(r"^(?:two_factor|otp)/[\w./-]+\.(?:html|txt|xml)$")

#: Blocks of django-two-factor-auth's ``_base.html`` and ours.
BLOCK_RENAMES = {"extra_media": "extra_head", "content_wrapper": "body"}

_SKIP_DIRS = {".git", ".hg", ".tox", ".nox", "node_modules", "__pycache__", "migrations"}
_TEMPLATE_SUFFIXES = {".html", ".txt", ".xml"}


@dataclass(frozen=True)
class Problem:
    """Something the rewriter left alone, for a person to look at."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class FileResult:
    path: Path
    old: str
    new: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old != self.new


# -- the maps the table gives -------------------------------------------------------------

_PYTHON: dict[str, Name] = {n.old: n for n in NAMES if n.kind in PYTHON_KINDS}
_SETTINGS: dict[str, Name] = {n.old: n for n in NAMES if n.kind == "setting"}
#: Strings: setting values win over a class of the same dotted path.
_STRINGS: dict[str, Name] = {
    **{n.old: n for n in NAMES if n.kind in (*PYTHON_KINDS, "url", "template")},
    **{n.old: n for n in NAMES if n.kind == "setting_value"},
}


def _map_dotted(dotted: str) -> tuple[str | None, Name | None]:
    """The new dotted path of ``dotted`` by its longest known prefix, and that entry.

    ``(None, entry)`` when the prefix has no equivalent; ``(None, None)`` when
    no prefix is in the table.
    """
    parts = dotted.split(".")
    for size in range(len(parts), 0, -1):
        entry = _PYTHON.get(".".join(parts[:size]))
        if entry is None:
            continue
        if entry.new is None:
            return None, entry
        return ".".join([entry.new, *parts[size:]]), entry
    return None, None


def _missing_message(old: str, entry: Name) -> str:
    return f"{old} ({entry.package}) has no equivalent: {entry.note}"


# -- Python ---------------------------------------------------------------------------------


class _Edits:
    """Byte-offset edits of one source text, applied back to front."""

    def __init__(self, source: str) -> None:
        self.data = source.encode("utf-8")
        self.line_starts = [0]
        for i, byte in enumerate(self.data):
            if byte == 0x0A:
                self.line_starts.append(i + 1)
        self.edits: list[tuple[int, int, str]] = []

    def offset(self, line: int, col: int) -> int:
        return self.line_starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8")

    def replace(self, node: ast.AST, text: str) -> None:
        start, end = self.span(node)
        self.edits.append((start, end, text))

    def apply(self) -> str:
        data = self.data
        last = len(data) + 1
        for start, end, text in sorted(self.edits, key=lambda e: e[0], reverse=True):
            if end > last:
                continue  # overlapping edit: the outer one already applied
            data = data[:start] + text.encode("utf-8") + data[end:]
            last = start
        return data.decode("utf-8")


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _alias_text(name: str, asname: str | None) -> str:
    return f"{name} as {asname}" if asname and asname != name else name


def _rewrite_import(node: ast.Import, edits: _Edits, report: list[tuple[int, str]]) -> None:
    parts, changed = [], False
    for alias in node.names:
        if alias.name.split(".")[0] not in OLD_ROOTS:
            parts.append(_alias_text(alias.name, alias.asname))
            continue
        new, entry = _map_dotted(alias.name)
        if new is None:
            message = (
                _missing_message(alias.name, entry)
                if entry is not None
                else f"{alias.name} is not in the name table"
            )
            report.append((node.lineno, message))
            parts.append(_alias_text(alias.name, alias.asname))
            continue
        changed = changed or new != alias.name
        parts.append(_alias_text(new, alias.asname))
    if changed:
        edits.replace(node, "import " + ", ".join(parts))


def _rewrite_import_from(
    node: ast.ImportFrom, edits: _Edits, report: list[tuple[int, str]], indent: str
) -> None:
    module = node.module or ""
    if node.level or module.split(".")[0] not in OLD_ROOTS:
        return
    groups: dict[str, list[str]] = {}
    changed = False
    for alias in node.names:
        if alias.name == "*":
            new_module, entry = _map_dotted(module)
            if new_module is None:
                report.append((node.lineno, f"{module} is not in the name table"))
                new_module = module
            groups.setdefault(new_module, []).append("*")
            changed = changed or new_module != module
            continue
        full = f"{module}.{alias.name}"
        new, entry = _map_dotted(full)
        if new is None:
            message = (
                _missing_message(full, entry)
                if entry is not None
                else f"{full} is not in the name table"
            )
            report.append((node.lineno, message))
            groups.setdefault(module, []).append(_alias_text(alias.name, alias.asname))
            continue
        if entry is not None and entry.old != full:
            report.append(
                (node.lineno, f"{full} is not in the name table: moved to {new}, check it exists")
            )
        new_module, _, new_name = new.rpartition(".")
        if not new_module:
            # A top-level package: ``from two_factor.plugins import email`` -> ``import otp_email``.
            groups.setdefault("", []).append(_alias_text(new_name, alias.asname or alias.name))
            changed = True
            continue
        changed = changed or new != full
        groups.setdefault(new_module, []).append(_alias_text(new_name, alias.asname or alias.name))
    if not changed:
        return
    statements: list[str] = []
    for new_module, names in groups.items():
        if not new_module:
            statements.extend(f"import {name}" for name in names)
        else:
            statements.append(f"from {new_module} import {', '.join(names)}")
    edits.replace(node, f"\n{indent}".join(statements))


def _string_literal(value: str, original: str) -> str:
    """``value`` as a literal with the quotes of ``original`` where possible."""
    quote = "'" if original.lstrip("rRuU").startswith("'") else '"'
    if quote in value or "\\" in value:
        return repr(value)
    return f"{quote}{value}{quote}"


def _rewrite_string(
    node: ast.Constant, edits: _Edits, report: list[tuple[int, str]], in_sequence: bool
) -> str | None:
    """Edit ``node`` when its value is an old name; return the new value (or None)."""
    value = node.value
    if not isinstance(value, str):
        return None
    start, end = edits.span(node)
    original = edits.text(start, end)
    if not original or original[0] not in "'\"rRuU" or original.count(original[-1]) < 2:
        return None
    if not _single_literal(original) or ast.literal_eval(original) != value:
        return None  # implicit concatenation, or an unusual spelling: leave it
    new: str | None = None
    entry = _STRINGS.get(value)
    if entry is not None:
        if entry.new is None:
            report.append((node.lineno, _missing_message(value, entry)))
            return None
        if entry.kind == "module" and "." not in value and not in_sequence:
            return None  # "two_factor" outside an app list: a namespace, an app label ...
        new = entry.new
        if entry.kind == "url" and entry.status == "renamed":
            report.append((node.lineno, f"{value} is now {new}: {entry.note}"))
    elif _DOTTED_OLD.match(value):
        # Only exact names are rewritten: a string that merely starts like
        # one (an app config path, a model label, a signing salt) is shown.
        _new, found = _map_dotted(value)
        if found is not None and found.new is None:
            report.append((node.lineno, _missing_message(value, found)))
        else:
            report.append((node.lineno, f"{value!r} is not in the name table: left as is"))
        return None
    elif value.startswith("two_factor_twilio:"):
        report.append((node.lineno, f"URL name {value!r} is not in the name table"))
        return None
    if new is None or new == value:
        return None
    edits.edits.append((start, end, _string_literal(new, original)))
    return new


def _single_literal(text: str) -> bool:
    """Is ``text`` exactly one plain string literal (no concatenation, no f-string)?"""
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
        ]
    except (tokenize.TokenError, SyntaxError):
        return False
    return len(tokens) == 1 and tokens[0].type == tokenize.STRING


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    parents = {}
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent
    return parents


def rewrite_python(source: str, path: str = "<string>") -> tuple[str, list[Problem]]:
    """``source`` with old names replaced, and what could not be replaced."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return source, [Problem(path, exc.lineno or 1, f"not parsed, left alone: {exc.msg}")]
    edits = _Edits(source)
    report: list[tuple[int, str]] = []
    parents = _parents(tree)
    lines = source.splitlines()
    imported_roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported_roots.update(
                alias.name.split(".")[0] for alias in node.names if alias.asname is None
            )
            _rewrite_import(node, edits, report)
        elif isinstance(node, ast.ImportFrom):
            line = lines[node.lineno - 1]
            indent = line[: len(line) - len(line.lstrip())]
            _rewrite_import_from(node, edits, report, indent)

    needed: set[str] = set()
    in_fstrings = {
        inner
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if node in in_fstrings:
            continue  # positions inside f-strings differ between Python versions
        if isinstance(node, ast.Attribute) and not isinstance(parents.get(node), ast.Attribute):
            module = _rewrite_chain(node, edits, report, imported_roots & set(OLD_ROOTS))
            if module:
                needed.add(module)
            if node.attr in _SETTINGS and _is_settings_object(node.value):
                _rename_setting_attr(node, edits, report)
        elif isinstance(node, ast.Name) and node.id in _SETTINGS:
            entry = _SETTINGS[node.id]
            if entry.new is None:
                report.append((node.lineno, _missing_message(node.id, entry)))
            elif entry.new != node.id:
                edits.replace(node, entry.new)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            _rewrite_sequence(node, edits, report, _is_app_list(node, parents))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and not isinstance(parents.get(node), (ast.List, ast.Tuple, ast.Set))
        ):
            _rewrite_string(node, edits, report, in_sequence=False)
    _add_imports(tree, edits, needed)
    problems = [Problem(path, line, message) for line, message in sorted(set(report))]
    return edits.apply(), problems


def _add_imports(tree: ast.Module, edits: _Edits, modules: set[str]) -> None:
    """Import the new modules that rewritten references need.

    ``import django_otp`` made ``django_otp.plugins.otp_totp.models`` reachable
    once something imported it; ``otp_totp`` is another package, so the
    reference needs its own ``import otp_totp.models``.
    """
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    wanted = sorted(
        module
        for module in modules
        if module not in {_map_dotted(name)[0] or name for name in imported}
        and module.split(".")[0] not in OLD_ROOTS
    )
    anchors = [
        node
        for node in tree.body
        if isinstance(node, ast.Import)
        and any(a.name.split(".")[0] in OLD_ROOTS for a in node.names)
    ]
    if wanted and anchors:
        end = edits.span(anchors[-1])[1]
        edits.edits.append((end, end, "".join(f"\nimport {module}" for module in wanted)))


def _is_settings_object(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "settings"


def _rename_setting_attr(node: ast.Attribute, edits: _Edits, report: list[tuple[int, str]]) -> None:
    entry = _SETTINGS[node.attr]
    if entry.new is None:
        report.append((node.lineno, _missing_message(node.attr, entry)))
    elif entry.new != node.attr:
        edits.replace(node, f"{edits.text(*edits.span(node.value))}.{entry.new}")


def _rewrite_chain(
    node: ast.Attribute, edits: _Edits, report: list[tuple[int, str]], roots: set[str]
) -> str | None:
    """``django_otp.plugins.otp_totp.models.TOTPDevice`` -> ``otp_totp.models.TOTPDevice``.

    Returns the module the new reference needs imported, if any.
    """
    dotted = _dotted(node)
    if dotted is None or dotted.split(".")[0] not in roots:
        return None
    # The longest prefix of the chain that the table knows.
    current: ast.AST = node
    while isinstance(current, ast.Attribute):
        prefix = _dotted(current)
        entry = _PYTHON.get(prefix or "")
        if entry is not None:
            if entry.new is None:
                report.append((node.lineno, _missing_message(prefix or "", entry)))
                return None
            start, end = edits.span(current)
            if edits.text(start, end) != prefix:
                report.append((node.lineno, f"{prefix} spans lines: rewrite it by hand"))
                return None
            edits.edits.append((start, end, entry.new))
            return entry.new if entry.kind == "module" else entry.new.rpartition(".")[0]
        current = current.value
    report.append((node.lineno, f"{dotted} is not in the name table"))
    return None


def _is_app_list(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Is ``node`` (part of) the value of a name like ``INSTALLED_APPS``?"""
    parent = parents.get(node)
    while isinstance(parent, ast.BinOp):
        parent = parents.get(parent)
    if isinstance(parent, ast.Assign):
        targets = parent.targets
    elif isinstance(parent, (ast.AugAssign, ast.AnnAssign)):
        targets = [parent.target]
    else:
        return False
    names = [t.id if isinstance(t, ast.Name) else getattr(t, "attr", "") for t in targets]
    return any("APPS" in name for name in names)


def _rewrite_sequence(
    node: ast.AST, edits: _Edits, report: list[tuple[int, str]], app_list: bool
) -> None:
    """Rewrite the strings of a list/tuple/set and drop entries that became duplicates.

    ``INSTALLED_APPS`` with both ``django_otp.plugins.otp_email`` and
    ``two_factor.plugins.email`` must name ``otp_email`` once.
    """
    elements = node.elts  # type: ignore[attr-defined]
    seen: dict[str, bool] = {}  # value -> was it rewritten?
    for i, element in enumerate(elements):
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            continue
        rewritten = _rewrite_string(element, edits, report, in_sequence=app_list)
        value = rewritten or element.value
        if value in seen and (rewritten is not None or seen[value]):
            # A duplicate the rewrite made: drop it with the separator before it.
            element_start, element_end = edits.span(element)
            edits.edits = [e for e in edits.edits if e[0] != element_start]
            edits.edits.append((edits.span(elements[i - 1])[1], element_end, ""))
            continue
        seen.setdefault(value, rewritten is not None)


# -- templates ------------------------------------------------------------------------------

_TAG_ARGUMENT = re.compile(r"({%-?\s*(?:extends|include|url)\s+)([\"'])([^\"']+)\2")
_BLOCK = re.compile(r"({%-?\s*(?:end)?block\s+)(\w+)")
_LOAD = re.compile(r"{%-?\s*load\s+([^%]+?)\s*-?%}")
_LIBRARIES = {n.old: n for n in NAMES if n.kind == "library"}


def rewrite_template(source: str, path: str = "<string>") -> tuple[str, list[Problem]]:
    """Template names, URL names and base-template blocks of ``source`` rewritten."""
    problems: list[Problem] = []

    def line_of(pos: int) -> int:
        return source.count("\n", 0, pos) + 1

    def argument(match: re.Match[str]) -> str:
        value = match.group(3)
        entry = _STRINGS.get(value)
        if entry is not None and entry.kind in ("url", "template"):
            if entry.new is None:
                problems.append(
                    Problem(path, line_of(match.start()), _missing_message(value, entry))
                )
                return match.group(0)
            if entry.kind == "url" and entry.status == "renamed":
                problems.append(
                    Problem(
                        path, line_of(match.start()), f"{value} is now {entry.new}: {entry.note}"
                    )
                )
            return f"{match.group(1)}{match.group(2)}{entry.new}{match.group(2)}"
        if value.startswith("two_factor_twilio:") or (
            _TEMPLATE_OLD.match(value) and value.startswith("otp/")
        ):
            problems.append(
                Problem(path, line_of(match.start()), f"{value!r} is not in the name table")
            )
        return match.group(0)

    new = _TAG_ARGUMENT.sub(argument, source)
    for match in _LOAD.finditer(new):
        for library in match.group(1).split():
            entry = _LIBRARIES.get(library)
            if entry is not None and entry.new is None:
                problems.append(
                    Problem(path, line_of(match.start()), _missing_message(library, entry))
                )
    if _is_two_factor_template(path, new):
        new = _BLOCK.sub(lambda m: m.group(1) + BLOCK_RENAMES.get(m.group(2), m.group(2)), new)
    return new, problems


def _is_two_factor_template(path: str, source: str) -> bool:
    """An override of, or a child of, django-two-factor-auth's base templates."""
    return "/two_factor/" in Path(path).as_posix() or bool(
        re.search(r"{%-?\s*extends\s+[\"']two_factor/", source)
    )


# -- files -----------------------------------------------------------------------------------


def iter_files(paths: list[Path]) -> Iterator[Path]:
    """Python files and templates under ``paths``; virtualenvs and migrations are skipped."""
    for root in paths:
        if root.is_file():
            yield root
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).parts
            if any(part in _SKIP_DIRS or part.startswith(".") for part in relative[:-1]):
                continue
            if any(
                (root.joinpath(*relative[:i]) / "pyvenv.cfg").exists()
                for i in range(1, len(relative))
            ):
                continue
            if path.suffix == ".py" or (
                path.suffix in _TEMPLATE_SUFFIXES and "templates" in relative
            ):
                yield path


def rewrite_file(path: Path) -> FileResult:
    """What rewriting ``path`` gives (nothing is written)."""
    old = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        new, problems = rewrite_python(old, str(path))
    else:
        new, problems = rewrite_template(old, str(path))
    return FileResult(path, old, new, problems)

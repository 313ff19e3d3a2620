"""Every installed distribution's catalogs, in every language we ship, are complete and compiled.

Only the distributions installed in this session are checked, so the test works
in isolation sessions too. The .po files are read with a small parser (polib and
gettext's tools are not needed); the .mo files with the standard library.
"""

from __future__ import annotations

import ast
import gettext
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# No database (the catalogues are files): PostgreSQL and MariaDB cells deselect it.
pytestmark = pytest.mark.engine_independent

MODULES = (
    "otp_core",
    "otp_totp",
    "otp_hotp",
    "otp_static",
    "otp_email",
    "otp_phone",
    "otp_yubikey",
    "otp_webauthn",
    "two_factor_ui",
)
LANGUAGES = ("de", "nl", "es", "fr", "pt_BR", "it")

# %(name)s, %d, %s, %%: Python's printf-style placeholders.
PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*\d*(?:\.\d+)?(?P<conv>[diouxXeEfFgGcrsa%])")
BRACE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    """One message of a .po file."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def unquote(text: str) -> str:
    """Decode one quoted PO string, e.g. ``"a\\"b"`` -> ``a"b``."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Parse a .po file into entries (obsolete ``#~`` entries are left out)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key: tuple[str, int] | None = None
    keyword = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$")
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:
                entries.append(entry)
                entry = None
            entry = entry or Entry(line=number)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        match = keyword.match(line)
        if match:
            name, index, value = match.groups()
            if name in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
                entries.append(entry)
                entry = None
            entry = entry or Entry(line=number)
            key = (name, int(index or 0))
            text = unquote(value)
        else:
            if not line.startswith('"') or entry is None or key is None:
                raise ValueError(f"{path}:{number}: cannot parse {raw!r}")
            text = unquote(line)
            name = key[0]
        if name == "msgstr":
            entry.msgstr[key[1]] = entry.msgstr.get(key[1], "") + text
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)
    if entry is not None:
        entries.append(entry)
    return entries


def nplurals(header: Entry) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header.msgstr.get(0, ""))
    assert match, "the header has no Plural-Forms"
    return int(match.group(1))


def printf_placeholders(text: str) -> tuple[set[str], list[str]]:
    """Named placeholders, and the conversions of positional ones in order."""
    named, positional = set(), []
    for match in PRINTF.finditer(text):
        if match.group("conv") == "%":
            continue
        if match.group("name") is not None:
            named.add(match.group("name"))
        else:
            positional.append(match.group("conv"))
    return named, positional


def installed_packages() -> list[tuple[str, Path]]:
    """(module, package directory) of each module of MODULES that is importable here."""
    found = []
    for name in MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        found.append((name, Path(module.__file__).resolve().parent))
    return found


def catalogs() -> list[tuple[str, str, Path]]:
    return [
        (name, language, directory / "locale" / language / "LC_MESSAGES" / "django.po")
        for name, directory in installed_packages()
        for language in LANGUAGES
    ]


CATALOGS = catalogs()
IDS = [f"{name}-{language}" for name, language, _ in CATALOGS]


def test_otp_core_itself_is_checked():
    assert ("otp_core", "de") in {(name, language) for name, language, _ in CATALOGS}


@pytest.mark.parametrize(("module", "language", "po_path"), CATALOGS, ids=IDS)
def test_catalog_is_complete(module, language, po_path):
    assert po_path.is_file(), f"{module} has no {language} catalog"
    header, *entries = parse_po(po_path)
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert f"Language: {language}\\n" in header.msgstr[0].replace("\n", "\\n")
    forms = nplurals(header)
    assert entries, f"{po_path} has no messages"
    problems = []
    for entry in entries:
        where = f"{po_path.name}:{entry.line} {entry.msgid[:50]!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy")
        expected = range(forms) if entry.msgid_plural is not None else range(1)
        if sorted(entry.msgstr) != list(expected) or not all(entry.msgstr.values()):
            problems.append(f"{where}: missing or empty msgstr")
            continue
        known = printf_placeholders(entry.msgid)[0]
        if entry.msgid_plural is not None:
            known |= printf_placeholders(entry.msgid_plural)[0]
        for index, translation in entry.msgstr.items():
            source = entry.msgid if index == 0 else entry.msgid_plural or ""
            if "python-format" in entry.flags:
                want_named, want_positional = printf_placeholders(source)
                have_named, have_positional = printf_placeholders(translation)
                if entry.msgid_plural is not None:
                    # A singular may spell out "one"; no placeholder may be unknown.
                    ok = have_named <= known and (index == 0 or want_named <= have_named)
                else:
                    ok = have_named == want_named
                if not ok or have_positional != want_positional:
                    problems.append(f"{where}: placeholders differ in msgstr[{index}]")
            if "python-brace-format" in entry.flags and set(BRACE.findall(source)) != set(
                BRACE.findall(translation)
            ):
                problems.append(f"{where}: {{}} placeholders differ in msgstr[{index}]")
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(translation)):
                problems.append(f"{where}: HTML differs in msgstr[{index}]")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("module", "language", "po_path"), CATALOGS, ids=IDS)
def test_mo_matches_po(module, language, po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.is_file(), f"{mo_path} is missing: run compilemessages"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    _, *entries = parse_po(po_path)
    stale = []
    for entry in entries:
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = [compiled.gettext(entry.msgid)]
            else:
                got = [compiled.pgettext(entry.msgctxt, entry.msgid)]
            want = [entry.msgstr[0]]
        else:
            got = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            want = [entry.msgstr[0], entry.msgstr[1]]
        if got != want:
            stale.append(f"{entry.msgid[:60]!r}: .mo has {got[0][:60]!r}")
    assert not stale, f"{mo_path} is older than the .po (run compilemessages):\n" + "\n".join(stale)


# Calls whose first (or, with a context, second) literal argument is a msgid.
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
PGETTEXT_CALLS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")


def source_msgids(directory: Path) -> dict[str, str]:
    """Literal msgids of gettext calls and ``{% translate %}`` tags, with where they are."""
    found: dict[str, str] = {}
    for path in sorted(directory.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            position = 0 if name in GETTEXT_CALLS else 1 if name in PGETTEXT_CALLS else None
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.setdefault(argument.value, f"{path.name}:{node.lineno}")
    for path in sorted([*directory.rglob("*.html"), *directory.rglob("*.txt")]):
        for match in TEMPLATE_TRANSLATE.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1) or match.group(2), path.name)
    return found


@pytest.mark.parametrize(("module", "language", "po_path"), CATALOGS, ids=IDS)
def test_catalog_holds_every_string_of_the_source(module, language, po_path):
    """The catalog was regenerated after the last new string (makemessages)."""
    msgids = {entry.msgid for entry in parse_po(po_path)}
    source = source_msgids(po_path.parents[3])
    assert source, f"no translatable strings found in {module}"
    missing = sorted(
        f"{where}: {msgid!r}" for msgid, where in source.items() if msgid not in msgids
    )
    assert not missing, f"{po_path} lacks (run makemessages):\n" + "\n".join(missing)


def test_parser_reads_plurals_flags_and_escapes(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "%(n)d \\"file\\""\nmsgid_plural "%(n)d files"\n'
        'msgstr[0] "%(n)d Datei"\nmsgstr[1] ""\n"%(n)d Dateien"\n\n'
        'msgctxt "verb"\nmsgid "Open"\nmsgstr "Öffnen"\n\n#~ msgid "old"\n#~ msgstr "alt"\n',
        encoding="utf-8",
    )
    header, plural, context = parse_po(po)
    assert nplurals(header) == 2
    assert plural.msgid == '%(n)d "file"'
    assert plural.msgstr == {0: "%(n)d Datei", 1: "%(n)d Dateien"}
    assert plural.flags == {"fuzzy", "python-format"}
    assert (context.msgctxt, context.msgid, context.msgstr) == ("verb", "Open", {0: "Öffnen"})
    assert printf_placeholders("%(a)s and %d of %s, 100%%") == ({"a"}, ["d", "s"])

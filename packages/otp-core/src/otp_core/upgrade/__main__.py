"""``python -m otp_core.upgrade [--check] [--diff] PATH...``: see :mod:`.rewrite`."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from .rewrite import iter_files, rewrite_file


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check`` only report) every file under the given paths.

    Exit status: 0, or 1 with ``--check`` when a file would change. What could
    not be mapped is printed as ``path:line: message`` on standard error.
    """
    parser = argparse.ArgumentParser(
        prog="python -m otp_core.upgrade",
        description=(
            "Rewrite imports, dotted names, settings, URL names and templates from "
            "django-otp / django-two-factor-auth to otp-core and its plugins."
        ),
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file would change"
    )
    parser.add_argument("--diff", action="store_true", help="print the changes as a unified diff")
    args = parser.parse_args(argv)
    for path in args.paths:
        if not path.exists():
            parser.error(f"no such file or directory: {path}")

    changed = 0
    problems = 0
    for path in iter_files(args.paths):
        try:
            result = rewrite_file(path)
        except (UnicodeDecodeError, OSError) as exc:
            print(f"{path}:1: not read, left alone: {exc}", file=sys.stderr)
            problems += 1
            continue
        for problem in result.problems:
            print(problem, file=sys.stderr)
        problems += len(result.problems)
        if not result.changed:
            continue
        changed += 1
        if args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    result.old.splitlines(keepends=True),
                    result.new.splitlines(keepends=True),
                    fromfile=f"a/{path}",
                    tofile=f"b/{path}",
                )
            )
        if args.check:
            print(f"would rewrite {path}")
        else:
            path.write_text(result.new, encoding="utf-8")
            print(f"rewrote {path}")
    verb = "would be rewritten" if args.check else "rewritten"
    print(f"{changed} file(s) {verb}; {problems} name(s) left for you (listed above).")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())

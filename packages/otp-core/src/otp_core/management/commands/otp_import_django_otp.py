"""Import devices from a django-otp / django-two-factor-auth database into the installed plugins."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.module_loading import import_string

from ... import plugins
from ...legacy_tables import TableStatus, survey

IMPORTER_OPTION = "django_otp_importer"
HEADERS = ("table", "from", "rows", "imported", "already imported", "left behind", "why")


class Command(BaseCommand):
    help = (
        "Copy devices from django-otp's and django-two-factor-auth's tables (otp_totp, "
        "otp_hotp, otp_static, otp_email, two_factor_phonedevice ...) into the installed "
        "otp-core plugins, then report every such table found. Safe to run again: "
        "imported rows are skipped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be imported, then roll everything back.",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database to read and write."
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit with a non-zero status when any row is left behind.",
        )

    def handle(
        self, *args: Any, dry_run: bool, database: str, strict: bool = False, **options: Any
    ) -> None:
        if database not in connections:
            raise CommandError(f"Unknown database {database!r}.")
        # A dry run rolls back everything at the end, so the report after the
        # importers shows what a real run would have done.
        outer = transaction.atomic(using=database) if dry_run else contextlib.nullcontext()
        with outer:
            before = {status.table: status for status in survey(database)}
            found = self._run_importers(database, dry_run)
            after = survey(database)
            if dry_run:
                transaction.set_rollback(True, using=database)
        if not found:
            self.stdout.write("No installed plugin can import from django-otp.")
        self._report(before, after, dry_run)
        left = sum(status.left_behind for status in after)
        if strict and left:
            raise CommandError(f"{left} row(s) left behind (see the table above).")

    def _run_importers(self, database: str, dry_run: bool) -> bool:
        found = False
        for plugin in plugins.enabled().values():
            path = plugin.options.get(IMPORTER_OPTION)
            if not path:
                continue
            found = True
            try:
                importer = import_string(path)
            except ImportError as exc:
                raise CommandError(f"{plugin.name}: importer {path!r}: {exc}") from None
            # A dry run's outer transaction rolls everything back at the end,
            # after the report has seen what the importers did.
            with transaction.atomic(using=database):
                counts = importer(using=database, dry_run=False)
            summary = ", ".join(f"{key}={value}" for key, value in counts.items())
            prefix = "[dry run] " if dry_run else ""
            self.stdout.write(f"{prefix}{plugin.name}: {summary}")
        return found

    def _report(self, before: dict[str, TableStatus], after: list[TableStatus], dry: bool) -> None:
        if not after:
            self.stdout.write("No django-otp or django-two-factor-auth tables found.")
            return
        lines = [HEADERS]
        for status in after:
            if status.state == "retired":
                lines.append((status.table, status.source, "-", "-", "-", "-", "retired"))
                continue
            earlier = before.get(status.table)
            had = earlier.imported_ids if earlier is not None else set()
            if status.state == "present" and not status.ids:  # auxiliary: read along
                new, already = status.imported, 0
            else:
                new = len(status.imported_ids - had)
                already = len(status.imported_ids & had)
            why = "; ".join(f"{count} {reason}" for reason, count in sorted(status.left.items()))
            lines.append(
                (
                    status.table,
                    status.source,
                    str(status.rows),
                    str(new),
                    str(already),
                    str(status.left_behind),
                    why or "-",
                )
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS) - 1)]
        self.stdout.write("")
        self.stdout.write("[dry run] would be:" if dry else "Tables found:")
        for line in lines:
            cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
            self.stdout.write("  ".join([*cells, line[-1]]).rstrip())
        left = sum(status.left_behind for status in after)
        if left:
            self.stdout.write(self.style.WARNING(f"{left} row(s) left behind."))
        else:
            self.stdout.write(self.style.SUCCESS("Nothing left behind."))

"""Retire (rename) or drop django-otp's and django-two-factor-auth's tables after the import."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from ...legacy_tables import CATALOGUE, RETIRED_SUFFIX, content_types, survey


class Command(BaseCommand):
    help = (
        "After otp_import_django_otp has imported every row: rename the old django-otp and "
        "django-two-factor-auth tables to <name>_retired, so a switch back to django-otp "
        "fails loudly instead of accepting backup codes used since; --drop drops them and "
        "their content types and permissions. A dry run unless --apply is given."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--apply", action="store_true", help="Do it (default: only print).")
        parser.add_argument(
            "--drop",
            action="store_true",
            help="Drop the tables (retired or not) and their content types and permissions.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to change.")

    def handle(self, *args: Any, apply: bool, drop: bool, database: str, **options: Any) -> None:
        if database not in connections:
            raise CommandError(f"Unknown database {database!r}.")
        statuses = survey(database)
        left = [s for s in statuses if s.left_behind]
        if left:
            names = ", ".join(f"{s.table} ({s.left_behind})" for s in left)
            raise CommandError(
                f"Rows not imported in: {names}. Run otp_import_django_otp (see its report) "
                "and make sure every row is imported before retiring the tables."
            )
        present = [s.table for s in statuses if s.state != "retired"]
        retired = [s.table for s in statuses if s.state == "retired"]
        if not present and not (drop and retired):
            self.stdout.write("No django-otp or django-two-factor-auth tables to retire.")
            return
        connection = connections[database]
        quote = connection.ops.quote_name
        statements = []
        if drop:
            # Children first (static tokens, remote YubiKeys): the catalogue lists parents first.
            order = [entry.table for entry in reversed(CATALOGUE)]
            tables = sorted(
                [*present, *(t + RETIRED_SUFFIX for t in retired)],
                key=lambda t: (
                    order.index(t.removesuffix(RETIRED_SUFFIX))
                    if t.removesuffix(RETIRED_SUFFIX) in order
                    else -1
                ),
            )
            statements = [(f"DROP TABLE {quote(t)}", f"drop table {t}") for t in tables]
        else:
            statements = [
                (
                    f"ALTER TABLE {quote(t)} RENAME TO {quote(t + RETIRED_SUFFIX)}",
                    f"rename table {t} to {t}{RETIRED_SUFFIX}",
                )
                for t in present
            ]
        stale = self._content_types(database, [*present, *retired]) if drop else []
        prefix = "" if apply else "[dry run] would "
        for _sql, text in statements:
            self.stdout.write(f"{prefix}{text}")
        for ct in stale:
            self.stdout.write(
                f"{prefix}delete content type {ct.app_label}.{ct.model} and its permissions"
            )
        if not apply:
            self.stdout.write("Nothing changed: run again with --apply to do it.")
            return
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                for sql, _text in statements:
                    cursor.execute(sql)
            for ct in stale:
                ct.delete()  # its permissions go with it
        self.stdout.write(self.style.SUCCESS("Done."))

    def _content_types(self, database: str, tables: list[str]) -> list[Any]:
        if not apps.is_installed("django.contrib.contenttypes"):
            return []
        from django.contrib.contenttypes.models import ContentType

        pairs = {
            pair for entry in CATALOGUE if entry.table in tables for pair in content_types(entry)
        }
        return [
            ct
            for ct in ContentType.objects.db_manager(database).order_by("app_label", "model")
            if (ct.app_label, ct.model) in pairs
        ]

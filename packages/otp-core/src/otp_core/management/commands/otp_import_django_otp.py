"""Import devices from a django-otp database into the installed plugins' models."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.module_loading import import_string

from ... import plugins

IMPORTER_OPTION = "django_otp_importer"


class Command(BaseCommand):
    help = (
        "Copy devices from django-otp's tables (otp_totp, otp_hotp, otp_static ...) into the "
        "installed otp-core plugins. Safe to run again: imported rows are skipped."
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

    def handle(self, *args: Any, dry_run: bool, database: str, **options: Any) -> None:
        if database not in connections:
            raise CommandError(f"Unknown database {database!r}.")
        found = False
        for plugin in plugins.installed().values():
            path = plugin.options.get(IMPORTER_OPTION)
            if not path or not apps.is_installed(plugin.app):
                continue
            found = True
            try:
                importer = import_string(path)
            except ImportError as exc:
                raise CommandError(f"{plugin.name}: importer {path!r}: {exc}") from None
            with transaction.atomic(using=database):
                counts = importer(using=database, dry_run=dry_run)
                if dry_run:
                    transaction.set_rollback(True, using=database)
            summary = ", ".join(f"{key}={value}" for key, value in counts.items())
            prefix = "[dry run] " if dry_run else ""
            self.stdout.write(f"{prefix}{plugin.name}: {summary}")
        if not found:
            self.stdout.write("No installed plugin can import from django-otp.")

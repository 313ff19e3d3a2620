"""Load local YubiKeys in bulk from a YubiKey Personalization Tool CSV log."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from ...models import YubikeyDevice
from ...personalization_csv import read_rows


class Command(BaseCommand):
    help = (
        "Create local YubiKey devices from the CSV log of the YubiKey Personalization Tool "
        "(traditional or Yubico format). Keys whose public id exists already are skipped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("csv_file", help="The CSV log written while programming the keys.")
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--user", help="User name that receives every key of the file.")
        owner.add_argument(
            "--map",
            dest="mapping",
            help="A CSV file of 'public id,user name' lines saying whose each key is.",
        )
        parser.add_argument("--name", default="YubiKey", help="Name of the new devices.")
        parser.add_argument("--dry-run", action="store_true", help="Report, then roll back.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        if using not in connections:
            raise CommandError(f"Unknown database {using!r}.")
        users = get_user_model()._default_manager.db_manager(using)
        owners = self._owners(options, users)
        counts = {"created": 0, "skipped": 0, "invalid": 0, "unassigned": 0}
        try:
            with Path(options["csv_file"]).open(encoding="utf-8-sig", newline="") as lines:
                rows = list(read_rows(lines))
        except (OSError, UnicodeError, csv.Error) as exc:
            raise CommandError(f"Cannot read {options['csv_file']}: {exc}") from None
        manager = YubikeyDevice._default_manager.db_manager(using)
        with transaction.atomic(using=using):
            existing = set(manager.values_list("public_id", flat=True))
            for row in rows:
                if row.error:
                    counts["invalid"] += 1
                    self.stderr.write(f"line {row.line}: {row.error}")
                    continue
                if row.public_id in existing:
                    counts["skipped"] += 1
                    continue
                user = owners.get(row.public_id, owners.get("*"))
                if user is None:
                    counts["unassigned"] += 1
                    continue
                manager.create(
                    user=user,
                    name=options["name"],
                    public_id=row.public_id,
                    private_id=row.private_id,
                    key=row.key,
                )
                existing.add(row.public_id)
                counts["created"] += 1
            if options["dry_run"]:
                transaction.set_rollback(True, using=using)
        prefix = "[dry run] " if options["dry_run"] else ""
        self.stdout.write(prefix + ", ".join(f"{k}={v}" for k, v in counts.items()))

    def _owners(self, options: dict[str, Any], users: Any) -> dict[str, Any]:
        field = get_user_model().USERNAME_FIELD
        if options["user"]:
            user = users.filter(**{field: options["user"]}).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
            return {"*": user}
        owners: dict[str, Any] = {}
        try:
            with Path(options["mapping"]).open(encoding="utf-8-sig", newline="") as lines:
                pairs = [row for row in csv.reader(lines) if len(row) >= 2]
        except (OSError, UnicodeError, csv.Error) as exc:
            raise CommandError(f"Cannot read {options['mapping']}: {exc}") from None
        names = {name.strip() for _public_id, name, *_rest in pairs}
        found = {getattr(u, field): u for u in users.filter(**{f"{field}__in": names})}
        for public_id, name, *_rest in pairs:
            if name.strip() not in found:
                raise CommandError(f"No user {name.strip()!r} (public id {public_id.strip()}).")
            owners[public_id.strip().lower()] = found[name.strip()]
        return owners

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ... import crypto
from ...models.fields import EncryptedSecretField


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored device secret under the first key of "
        "OTP_ENCRYPTION_KEYS, so older keys can then be removed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedSecretField)]
            if not fields:
                continue
            count = 0
            names = [f.attname for f in fields]
            pks = list(model._default_manager.values_list("pk", flat=True).order_by("pk"))
            for start in range(0, len(pks), batch_size):
                with transaction.atomic():
                    rows = model._default_manager.select_for_update().filter(
                        pk__in=pks[start : start + batch_size]
                    )
                    try:
                        for obj in rows.only("pk", *names):
                            # Reading decrypted with any key; saving encrypts with the first.
                            obj.save(update_fields=names)
                            count += 1
                    except crypto.DecryptionError as exc:
                        raise CommandError(f"{model._meta.label}: {exc}") from None
            self.stdout.write(f"{model._meta.label}: {count} row(s) re-encrypted")
            total += count
        self.stdout.write(f"{total} secret(s) now under the first key.")

"""``manage.py otp_rotate_keys``: move every stored secret to the first key.

Steps, each reported: refuse if any row cannot be decrypted with the keys
configured now (nothing is changed); let models make long-lived code hashes
independent of the keys (``migrate_code_hashes``, e.g. backup codes); count
the secret rows of every model with an encrypted field, re-encrypt them in
batches, and fail unless every row found was re-encrypted and every stored
value now opens with the first key alone.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ... import crypto, rotation


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored device secret under the first key of "
        "OTP_ENCRYPTION_KEYS, so older keys can then be removed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows re-encrypted per transaction (1 or more; default 500).",
        )

    def handle(self, *args: Any, batch_size: Any = 500, **options: Any) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise CommandError(
                f"--batch-size must be a whole number of 1 or more, not {batch_size!r}."
            )
        found_models = rotation.secret_models()

        # A key removed too early: refuse before changing anything.
        for model, names in found_models:
            unreadable = rotation.unreadable_count(model, names)
            if unreadable:
                raise CommandError(
                    f"{model._meta.label}: {unreadable} row(s) cannot be decrypted with any "
                    "key of OTP_ENCRYPTION_KEYS. Put back the key that encrypted them (after "
                    "the new first key) and run otp_rotate_keys again. Nothing was changed."
                )

        for model in apps.get_models():
            migrate = getattr(model, "migrate_code_hashes", None)
            if callable(migrate):
                migrated = migrate()
                self.stdout.write(
                    f"{model._meta.label}: {migrated} code hash(es) made independent of "
                    "OTP_ENCRYPTION_KEYS"
                )

        total = 0
        for model, names in found_models:
            found, done = self._reencrypt(model, names, batch_size)
            self.stdout.write(f"{model._meta.label}: {done} of {found} row(s) re-encrypted")
            if done < found:
                raise CommandError(
                    f"{model._meta.label}: re-encrypted {done} of the {found} row(s) with "
                    "secrets (rows deleted meanwhile?). Run otp_rotate_keys again before "
                    "removing any key."
                )
            total += done

        for model, names in found_models:
            left = rotation.not_under_first_key_count(model, names)
            if left:
                raise CommandError(
                    f"{model._meta.label}: {left} row(s) still need a key other than the "
                    "first. Run otp_rotate_keys again before removing any key."
                )
        self.stdout.write(f"{total} secret(s) now under the first key.")

        pending, latest = rotation.pending_codes()
        if pending:
            until = f"{timezone.localtime(latest):%Y-%m-%d %H:%M %Z}" if latest else "they expire"
            self.stdout.write(
                self.style.WARNING(
                    f"{pending} sent code(s) are still pending, hashed with the keys of "
                    f"before: keep the old keys until {until}, or those users ask for a new code."
                )
            )
        self.stdout.write("Every secret opens with the first key: older keys may be removed.")

    def _reencrypt(self, model: Any, names: list[str], batch_size: int) -> tuple[int, int]:
        """Re-encrypt every secret row of ``model``; return (rows found, rows re-encrypted)."""
        pks = list(rotation.secret_rows(model, names).values_list("pk", flat=True).order_by("pk"))
        done = 0
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                rows = model._default_manager.select_for_update().filter(
                    pk__in=pks[start : start + batch_size]
                )
                for obj in rows.only("pk", *names):
                    if any(isinstance(getattr(obj, n), crypto.UnreadableSecret) for n in names):
                        raise CommandError(
                            f"{model._meta.label}: a row cannot be decrypted with any key of "
                            "OTP_ENCRYPTION_KEYS (was a key removed meanwhile?)."
                        )
                    # Reading decrypted with any key; saving encrypts with the first.
                    obj.save(update_fields=names)
                    done += 1
        return len(pks), done

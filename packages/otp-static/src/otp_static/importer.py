"""Move backup codes over from django-otp's ``otp_static`` tables.

The devices are copied by otp-core's shared :func:`otp_core.importing.import_devices`
(user, name, confirmation, throttling state and time stamps). django-otp keeps
each code in plain text (``otp_static_statictoken.token``); here each becomes
``device.hash_for_storage(normalize_code(token))`` on the device imported from
its row (keyed with the set's own code key, see ``StaticDevice``).

Idempotent: every imported device records the id of the django-otp row it came
from in ``StaticDevice.django_otp_id`` (a unique column), and a row whose id is
there already is skipped with its codes. Running the import again therefore
adds nothing and, above all, never brings back a code that was used after the
first import. Everything runs in one transaction; ``dry_run`` rolls it back.
"""

from __future__ import annotations

from django.db import transaction

from otp_core.importing import import_devices, read_table

from .codes import MAX_CODE_LENGTH, normalize_code
from .models import StaticDevice, StaticToken

__all__ = ["DEVICE_TABLE", "TOKEN_TABLE", "import_from_django_otp"]

DEVICE_TABLE = "otp_static_staticdevice"
TOKEN_TABLE = "otp_static_statictoken"


def import_from_django_otp(*, using: str, dry_run: bool) -> dict[str, int]:
    """Copy each django-otp static device not imported before, with its codes hashed.

    Counts as for every plugin's importer (``created``, ``skipped``,
    ``invalid``, ``missing_tables``), plus ``tokens`` imported and
    ``invalid_tokens`` (empty, or longer than can be typed) left out.
    """
    counts = {"created": 0, "skipped": 0, "invalid": 0, "missing_tables": 0}
    counts |= {"tokens": 0, "invalid_tokens": 0}
    manager = StaticDevice._default_manager.db_manager(using)
    with transaction.atomic(using=using):
        tokens = read_table(using, TOKEN_TABLE, ["device_id", "token"])
        if tokens is None:
            counts["missing_tables"] = 1
            return counts
        before = set(
            manager.filter(django_otp_id__isnull=False).values_list("django_otp_id", flat=True)
        )
        counts |= import_devices(StaticDevice, DEVICE_TABLE, (), using=using, dry_run=False)
        new = {
            device.django_otp_id: device
            for device in manager.filter(django_otp_id__isnull=False).exclude(
                django_otp_id__in=before
            )
        }
        rows = []
        for row in tokens:
            device = new.get(row["device_id"])
            if device is None:
                continue  # its device was imported before, or was not valid
            code = normalize_code(row["token"] or "")
            if not code or len(code) > MAX_CODE_LENGTH:
                counts["invalid_tokens"] += 1
                continue
            rows.append(StaticToken(device=device, token_hash=device.hash_for_storage(code)))
        StaticToken.objects.using(using).bulk_create(rows)
        counts["tokens"] = len(rows)
        if dry_run:
            transaction.set_rollback(True, using=using)
    return counts

"""Import from django-otp-yubikey's tables (``otp_yubikey_*``), read with plain SQL.

django-otp-yubikey must be uninstalled first (both ship the ``otp_yubikey``
import package); its tables stay in the database and are read directly.
Services come first, then local and remote devices. A local device keeps the
public id django-otp-yubikey derived from its primary key (the key was
programmed with it), and its key and counters, so it keeps working. Each row
is imported once (``django_otp_id``); keys are never printed.
"""

from __future__ import annotations

import struct
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from otp_core.importing import (
    COMMON_COLUMNS,
    _convert,  # the core's conversion of dates and booleans
    read_table,
)

from . import modhex
from .models import RemoteYubikeyDevice, ValidationService, YubikeyDevice
from .yubico_otp import CAPS_LOCK_BIT

__all__ = ["import_from_django_otp_yubikey", "legacy_public_id"]

SERVICE_TABLE = "otp_yubikey_validationservice"
LOCAL_TABLE = "otp_yubikey_yubikeydevice"
REMOTE_TABLE = "otp_yubikey_remoteyubikeydevice"
SERVICE_COLUMNS = (
    "name",
    "api_id",
    "api_key",
    "base_url",
    "api_version",
    "use_ssl",
    "param_sl",
    "param_timeout",
)
_DEVICE_COMMON = tuple(c for c in COMMON_COLUMNS if c != "created_at")


def legacy_public_id(pk: int) -> str:
    """django-otp-yubikey's public id of a local device: its pk, 4 bytes big-endian, modhex."""
    return modhex.encode(struct.pack(">I", pk))


def _timeout(value: Any) -> int:
    try:
        seconds = int(str(value).strip())
    except (TypeError, ValueError):
        return 5
    return min(max(seconds, 1), 60)


def _sl(value: Any) -> str:
    text = str(value or "").strip()
    return text if text in ("fast", "secure") or (text.isdigit() and int(text) <= 100) else ""


def _common(row: dict[str, Any]) -> dict[str, Any]:
    return {c: _convert(c, row[c]) for c in _DEVICE_COMMON if row.get(c) is not None}


def _save(device: Any, using: str, exclude: list[str]) -> bool:
    try:
        device.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError:
        return False  # never echo the row: it holds the key
    device.save(using=using)
    return True


def _import_services(using: str, counts: dict[str, int]) -> dict[int, ValidationService]:
    rows = read_table(using, SERVICE_TABLE, SERVICE_COLUMNS)
    manager = ValidationService._default_manager.db_manager(using)
    mapped = {s.django_otp_id: s for s in manager.filter(django_otp_id__isnull=False)}
    if rows is None:
        counts["missing_tables"] += 1
        return mapped
    names = set(manager.values_list("name", flat=True))
    for row in rows:
        if row["id"] in mapped:
            counts["services_skipped"] += 1
            continue
        name = str(row.get("name") or "service")[:32]
        if name in names:
            name = f"{name[:20]}-imported-{row['id']}"[:32]
        service = ValidationService(
            django_otp_id=row["id"],
            name=name,
            api_id=row.get("api_id") or 1,
            api_key=str(row.get("api_key") or "").strip(),
            base_url=str(row.get("base_url") or "").strip(),
            api_version="2.0",  # 1.0 and 1.1 are retired; 2.0 answers the same requests
            use_ssl=bool(row.get("use_ssl", True)),
            param_sl=_sl(row.get("param_sl")),
            param_timeout=_timeout(row.get("param_timeout")),
        )
        # A service without an API key cannot have its answers checked: not imported.
        if not _save(service, using, exclude=[]):
            counts["services_invalid"] += 1
            continue
        names.add(name)
        mapped[row["id"]] = service
        counts["services_created"] += 1
    return mapped


def _import_local(using: str, owners: set[Any], counts: dict[str, int]) -> None:
    rows = read_table(
        using, LOCAL_TABLE, [*_DEVICE_COMMON, "private_id", "key", "session", "counter"]
    )
    if rows is None:
        counts["missing_tables"] += 1
        return
    manager = YubikeyDevice._default_manager.db_manager(using)
    done = set(manager.filter(django_otp_id__isnull=False).values_list("django_otp_id", flat=True))
    taken = set(manager.values_list("public_id", flat=True))
    for row in rows:
        if row["id"] in done:
            counts["local_skipped"] += 1
            continue
        public_id = legacy_public_id(row["id"])
        if row["user_id"] not in owners or public_id in taken:
            counts["local_invalid"] += 1
            continue
        device = YubikeyDevice(
            django_otp_id=row["id"],
            public_id=public_id,
            private_id=str(row.get("private_id") or "").lower(),
            key=str(row.get("key") or "").lower(),
            # django-otp-yubikey stored the caps-lock bit as part of the counter.
            session=(row.get("session") or 0) & ~CAPS_LOCK_BIT,
            counter=row.get("counter") or 0,
            **_common(row),
        )
        if _save(device, using, exclude=["user"]):
            taken.add(public_id)
            counts["local_created"] += 1
        else:
            counts["local_invalid"] += 1


def _import_remote(
    using: str, owners: set[Any], services: dict[int, ValidationService], counts: dict[str, int]
) -> None:
    rows = read_table(using, REMOTE_TABLE, [*_DEVICE_COMMON, "service_id", "public_id"])
    if rows is None:
        counts["missing_tables"] += 1
        return
    manager = RemoteYubikeyDevice._default_manager.db_manager(using)
    done = set(manager.filter(django_otp_id__isnull=False).values_list("django_otp_id", flat=True))
    for row in rows:
        if row["id"] in done:
            counts["remote_skipped"] += 1
            continue
        service = services.get(row.get("service_id"))
        if row["user_id"] not in owners or service is None:
            counts["remote_invalid"] += 1
            continue
        device = RemoteYubikeyDevice(
            django_otp_id=row["id"],
            service=service,
            public_id=str(row.get("public_id") or "").strip().lower(),
            **_common(row),
        )
        if _save(device, using, exclude=["user", "service"]):
            counts["remote_created"] += 1
        else:
            counts["remote_invalid"] += 1


def import_from_django_otp_yubikey(*, using: str, dry_run: bool) -> dict[str, int]:
    """Copy django-otp-yubikey's services and devices not imported before; returns counts."""
    counts = dict.fromkeys(
        (
            "services_created",
            "services_skipped",
            "services_invalid",
            "local_created",
            "local_skipped",
            "local_invalid",
            "remote_created",
            "remote_skipped",
            "remote_invalid",
            "missing_tables",
        ),
        0,
    )
    user_ids: set[Any] = set()
    for table in (LOCAL_TABLE, REMOTE_TABLE):
        user_ids |= {row["user_id"] for row in read_table(using, table, ["user_id"]) or []}
    owners = set(
        get_user_model()
        ._default_manager.db_manager(using)
        .filter(pk__in=user_ids)
        .values_list("pk", flat=True)
    )
    with transaction.atomic(using=using):
        services = _import_services(using, counts)
        _import_local(using, owners, counts)
        _import_remote(using, owners, services, counts)
        if dry_run:
            transaction.set_rollback(True, using=using)
    return counts

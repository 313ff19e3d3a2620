"""Import WebAuthn keys from django-two-factor-auth and django-otp-webauthn.

Both tables are read with plain SQL (neither package need be installed):

* django-two-factor-auth's ``two_factor_webauthn_webauthndevice``: the
  credential id (``key_handle``) and COSE public key (``public_key``) as
  base64url text, and the signature counter;
* django-otp-webauthn's ``django_otp_webauthn_webauthncredential`` (binary
  credential id and public key, counter, AAGUID, transports, backup flags,
  discoverable) and its users' random handles
  (``django_otp_webauthn_webauthnuserhandle``), so its passkeys keep signing in.

The same credential ids, public keys and counters: existing keys keep
working. A credential already present (same id) is skipped, so the import
can run again. Key material is never printed.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections

from otp_core.importing import _convert, read_table

from .models import WebAuthnDevice, WebAuthnUserHandle, credential_digest

__all__ = ["OTP_WEBAUTHN_TABLES", "TWO_FACTOR_TABLE", "import_from_django", "imported_ids"]

TWO_FACTOR_TABLE = "two_factor_webauthn_webauthndevice"
OTP_WEBAUTHN_TABLES = (
    "django_otp_webauthn_webauthncredential",
    "django_otp_webauthn_webauthnuserhandle",
)
_COMMON = ("user_id", "name", "confirmed", "created_at", "last_used_at")
_TRANSPORTS = {"ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"}


def _unb64(text: Any) -> bytes | None:
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def _bytes(value: Any) -> bytes | None:
    if isinstance(value, memoryview):
        value = value.tobytes()
    return bytes(value) if isinstance(value, (bytes, bytearray)) and value else None


def _transports(value: Any) -> list[str]:
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return sorted({t for t in value if isinstance(t, str) and t in _TRANSPORTS})


class _Importer:
    def __init__(self, using: str) -> None:
        self.using = using
        self.devices = WebAuthnDevice._default_manager.db_manager(using)
        self.present = set(self.devices.values_list("credential_id_digest", flat=True))
        self.counts = {"created": 0, "skipped": 0, "invalid": 0, "missing_tables": 0}

    def owners(self, rows: list[dict[str, Any]]) -> set[Any]:
        users = get_user_model()._default_manager.db_manager(self.using)
        return set(users.filter(pk__in={r["user_id"] for r in rows}).values_list("pk", flat=True))

    def add(self, row: dict[str, Any], owners: set[Any], **fields: Any) -> None:
        credential_id, public_key = fields.get("credential_id"), fields.get("public_key")
        sign_count = row.get("sign_count")
        if (
            not credential_id
            or len(credential_id) > 1023
            or not public_key
            or row.get("user_id") not in owners
            or not isinstance(sign_count, int)
            or sign_count < 0
        ):
            self.counts["invalid"] += 1
            return
        digest = credential_digest(credential_id)
        if digest in self.present:
            self.counts["skipped"] += 1
            return
        common = {c: _convert(c, row[c]) for c in _COMMON if row.get(c) is not None}
        created_at = common.pop("created_at", None)
        name = str(common.pop("name", "") or "").strip()[:64] or "Security key"
        device = WebAuthnDevice(
            name=name, sign_count=sign_count, attestation_format="none", **common, **fields
        )
        device.save(using=self.using)
        if created_at is not None:
            self.devices.filter(pk=device.pk).update(created_at=created_at)
        self.present.add(digest)
        self.counts["created"] += 1

    def two_factor(self) -> None:
        rows = read_table(
            self.using, TWO_FACTOR_TABLE, [*_COMMON, "key_handle", "public_key", "sign_count"]
        )
        if rows is None:
            self.counts["missing_tables"] += 1
            return
        owners = self.owners(rows)
        for row in rows:
            self.add(
                row,
                owners,
                credential_id=_unb64(row.get("key_handle")),
                public_key=_unb64(row.get("public_key")),
            )

    def otp_webauthn(self) -> None:
        table, handles_table = OTP_WEBAUTHN_TABLES
        columns = [
            *_COMMON,
            "credential_id",
            "public_key",
            "sign_count",
            "aaguid",
            "transports",
            "backup_eligible",
            "backup_state",
            "discoverable",
        ]
        rows = read_table(self.using, table, columns)
        if rows is None:
            self.counts["missing_tables"] += 1
            return
        owners = self.owners(rows)
        self.handles(handles_table, owners)
        for row in rows:
            discoverable = row.get("discoverable")
            self.add(
                row,
                owners,
                credential_id=_bytes(row.get("credential_id")),
                public_key=_bytes(row.get("public_key")),
                aaguid=str(row.get("aaguid") or "")[:36],
                transports=_transports(row.get("transports")),
                backup_eligible=bool(row.get("backup_eligible")),
                backed_up=bool(row.get("backup_state")),
                discoverable=None if discoverable is None else bool(discoverable),
            )

    def handles(self, table: str, owners: set[Any]) -> None:
        """Each user's handle, unless the user has one here already (kept: counted)."""
        connection_rows = _handle_rows(self.using, table)
        manager = WebAuthnUserHandle._default_manager.db_manager(self.using)
        have = set(manager.filter(user_id__in=owners).values_list("user_id", flat=True))
        self.counts.setdefault("handles_created", 0)
        self.counts.setdefault("handles_kept", 0)
        for user_id, handle_hex in connection_rows:
            if user_id not in owners:
                continue
            try:
                handle = bytes.fromhex(str(handle_hex or ""))
            except ValueError:
                continue
            if user_id in have or not 0 < len(handle) <= 64:
                self.counts["handles_kept"] += 1
                continue
            manager.create(user_id=user_id, handle=handle)
            have.add(user_id)
            self.counts["handles_created"] += 1


def _handle_rows(using: str, table: str) -> list[tuple[Any, Any]]:
    """``(user_id, handle_hex)`` rows; the table's key is ``user_id``, not ``id``."""
    connection = connections[using]
    if table not in connection.introspection.table_names():
        return []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('user_id')}, {quote('handle_hex')} FROM {quote(table)}"  # noqa: S608
        )
        return list(cursor.fetchall())


def import_from_django(*, using: str, dry_run: bool) -> dict[str, int]:
    """Copy both packages' credentials; counts per outcome (``otp_import_django_otp``).

    ``missing_tables`` counts the sources not found (0, 1 or 2). The command
    runs this in a transaction and rolls it back for ``--dry-run``.
    """
    importer = _Importer(using)
    importer.two_factor()
    importer.otp_webauthn()
    return importer.counts


def imported_ids(using: str, table: str) -> set[Any]:
    """Ids of the rows of ``table`` (either package's) whose credential is here already.

    For otp-core's import report and ``otp_retire_django_otp``: WebAuthn keys
    are matched by credential id, not by a ``django_otp_id``.
    """
    if table == TWO_FACTOR_TABLE:
        rows = read_table(using, table, ["key_handle"]) or []
        credentials = {row["id"]: _unb64(row.get("key_handle")) for row in rows}
    else:
        rows = read_table(using, table, ["credential_id"]) or []
        credentials = {row["id"]: _bytes(row.get("credential_id")) for row in rows}
    present = set(
        WebAuthnDevice._default_manager.db_manager(using).values_list(
            "credential_id_digest", flat=True
        )
    )
    return {
        pk
        for pk, credential in credentials.items()
        if credential and credential_digest(credential) in present
    }

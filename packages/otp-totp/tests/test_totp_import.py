"""otp_import_django_otp with TOTP devices in django-otp 1.7.5's published schema."""

from __future__ import annotations

import base64
import io
import secrets
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from django.core.management import call_command
from django.db import connection

from otp_totp.importer import import_from_django_otp
from otp_totp.models import TOTPDevice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("django_otp_schema"),
]


def insert_totp(schema, user, key: str, **extra) -> int:
    row = {
        "name": "phone",
        "confirmed": True,
        "key": key,
        "step": 30,
        "t0": 0,
        "digits": 6,
        "tolerance": 1,
        "drift": 0,
        "last_t": -1,
        "user_id": user.pk,
        "throttling_failure_count": 0,
        "throttling_failure_timestamp": None,
        "created_at": None,
        "last_used_at": None,
        **extra,
    }
    return schema.insert("otp_totp_totpdevice", row)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("otp_import_django_otp", *args, stdout=out)
    return out.getvalue()


def test_missing_table_is_counted():
    counts = import_from_django_otp(using="default", dry_run=False)
    assert counts["missing_tables"] == 1
    assert counts["created"] == 0


def test_import_keeps_state_encrypts_and_is_idempotent(user, other_user, django_otp_schema):
    django_otp_schema.create("otp_totp")
    key1, key2 = secrets.token_hex(20), secrets.token_hex(32)
    created = datetime(2020, 5, 1, 12, 0, tzinfo=timezone.utc)
    failed = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    id1 = insert_totp(
        django_otp_schema, user, key1, created_at=created, last_used_at=created + timedelta(days=1)
    )
    id2 = insert_totp(
        django_otp_schema,
        other_user,
        key2,
        name="old",
        confirmed=False,
        step=60,
        t0=100,
        digits=8,
        tolerance=2,
        drift=-1,
        last_t=5,
        throttling_failure_count=3,
        throttling_failure_timestamp=failed,
    )

    # A dry run reports and writes nothing.
    out = run("--dry-run")
    assert "totp: created=2" in out
    assert not TOTPDevice.objects.exists()

    out = run()
    assert "totp: created=2, skipped=0" in out
    first = TOTPDevice.objects.get(django_otp_id=id1)
    second = TOTPDevice.objects.get(django_otp_id=id2)
    assert (first.user, first.name, first.confirmed, first.key) == (user, "phone", True, key1)
    assert first.created_at == created
    assert first.last_used_at == created + timedelta(days=1)
    assert (second.user, second.name, second.confirmed) == (other_user, "old", False)
    assert (second.step, second.t0, second.digits, second.tolerance) == (60, 100, 8, 2)
    assert (second.drift, second.last_t) == (-1, 5)
    assert second.throttling_failure_count == 3
    assert second.throttling_failure_timestamp == failed

    # Codes from an app that had the django-otp key verify against the import.
    app = pyotp.TOTP(base64.b32encode(bytes.fromhex(key1)).decode())
    assert first.verify_token(app.now())

    # No plaintext key in our table.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')} FROM otp_core_totp_totpdevice")
        stored = [row[0] for row in cursor.fetchall()]
    assert all(key1 not in value and key2 not in value for value in stored)

    # Running again creates nothing.
    out = run()
    assert "totp: created=0, skipped=2" in out
    assert TOTPDevice.objects.count() == 2


def test_invalid_rows_are_counted_not_imported(user, django_otp_schema):
    django_otp_schema.create("otp_totp")
    insert_totp(django_otp_schema, user, "not-a-hex-key")
    insert_totp(django_otp_schema, user, secrets.token_hex(20), digits=7)
    counts = import_from_django_otp(using="default", dry_run=False)
    assert counts == {"created": 0, "skipped": 0, "invalid": 2, "missing_tables": 0}

"""otp_import_django_otp with HOTP devices in django-otp 1.7.5's published schema."""

from __future__ import annotations

import base64
import io
import secrets
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from django.core.management import call_command
from django.db import connection

from otp_hotp.importer import import_from_django_otp
from otp_hotp.models import HOTPDevice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("django_otp_schema"),
]


def insert_hotp(schema, user, key: str, **extra) -> int:
    row = {
        "name": "phone",
        "confirmed": True,
        "key": key,
        "digits": 6,
        "tolerance": 5,
        "counter": 0,
        "user_id": user.pk,
        "throttling_failure_count": 0,
        "throttling_failure_timestamp": None,
        "created_at": None,
        "last_used_at": None,
        **extra,
    }
    return schema.insert("otp_hotp_hotpdevice", row)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("otp_import_django_otp", *args, stdout=out)
    return out.getvalue()


def test_missing_table_is_counted():
    counts = import_from_django_otp(using="default", dry_run=False)
    assert counts["missing_tables"] == 1
    assert counts["created"] == 0


def test_import_keeps_state_encrypts_and_is_idempotent(user, other_user, django_otp_schema):
    django_otp_schema.create("otp_hotp")
    key1, key2 = secrets.token_hex(20), secrets.token_hex(32)
    created = datetime(2020, 5, 1, 12, 0, tzinfo=timezone.utc)
    failed = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    id1 = insert_hotp(
        django_otp_schema, user, key1, created_at=created, last_used_at=created + timedelta(days=1)
    )
    id2 = insert_hotp(
        django_otp_schema,
        other_user,
        key2,
        name="old",
        confirmed=False,
        digits=8,
        tolerance=2,
        counter=33,
        throttling_failure_count=3,
        throttling_failure_timestamp=failed,
    )

    # A dry run reports and writes nothing.
    out = run("--dry-run")
    assert "hotp: created=2" in out
    assert not HOTPDevice.objects.exists()

    out = run()
    assert "hotp: created=2, skipped=0" in out
    first = HOTPDevice.objects.get(django_otp_id=id1)
    second = HOTPDevice.objects.get(django_otp_id=id2)
    assert (first.user, first.name, first.confirmed, first.key) == (user, "phone", True, key1)
    assert first.created_at == created
    assert first.last_used_at == created + timedelta(days=1)
    assert (second.user, second.name, second.confirmed) == (other_user, "old", False)
    assert (second.digits, second.tolerance, second.counter) == (8, 2, 33)
    assert second.throttling_failure_count == 3
    assert second.throttling_failure_timestamp == failed

    # Codes from an app that had the django-otp key verify against the import.
    app = pyotp.HOTP(base64.b32encode(bytes.fromhex(key1)).decode())
    assert first.verify_token(app.at(0))
    app8 = pyotp.HOTP(base64.b32encode(bytes.fromhex(key2)).decode(), digits=8)
    assert second.verify_token(app8.at(34))

    # No plaintext key in our table.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')} FROM otp_core_hotp_hotpdevice")
        stored = [row[0] for row in cursor.fetchall()]
    assert all(key1 not in value and key2 not in value for value in stored)

    # Running again creates nothing.
    out = run()
    assert "hotp: created=0, skipped=2" in out
    assert HOTPDevice.objects.count() == 2


def test_invalid_rows_are_counted_not_imported(user, django_otp_schema):
    django_otp_schema.create("otp_hotp")
    insert_hotp(django_otp_schema, user, "not-a-hex-key")
    insert_hotp(django_otp_schema, user, secrets.token_hex(20), digits=7)
    counts = import_from_django_otp(using="default", dry_run=False)
    assert counts == {"created": 0, "skipped": 0, "invalid": 2, "missing_tables": 0}

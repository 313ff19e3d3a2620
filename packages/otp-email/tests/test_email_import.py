"""otp_import_django_otp with e-mail devices in django-otp 1.7.5's published schema."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from otp_core import plugins
from otp_email.importer import import_from_django_otp
from otp_email.models import EmailDevice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("django_otp_schema"),
]

FAILED_AT = datetime(2026, 10, 1, 8, 30, tzinfo=timezone.utc)


def insert_email(schema, user, **extra) -> int:
    row = {
        "name": "email",
        "confirmed": True,
        "user_id": user.pk,
        "token": "123456",
        "valid_until": FAILED_AT + timedelta(minutes=5),
        "email": None,
        "throttling_failure_count": 0,
        "throttling_failure_timestamp": None,
        "last_generated_timestamp": FAILED_AT,
        "created_at": FAILED_AT - timedelta(days=30),
        "last_used_at": None,
        **extra,
    }
    return schema.insert("otp_email_emaildevice", row)


def test_registered_with_the_import_command():
    path = plugins.get("email").options["django_otp_importer"]
    assert path == "otp_email.importer.import_from_django_otp"


def test_import_keeps_address_state_and_is_idempotent(user, other_user, django_otp_schema):
    django_otp_schema.create("otp_email")
    own = insert_email(django_otp_schema, user)  # null: the user's own address
    other = insert_email(
        django_otp_schema,
        other_user,
        name="work",
        email="bob@work.example",
        confirmed=False,
        throttling_failure_count=3,
        throttling_failure_timestamp=FAILED_AT,
    )
    counts = import_from_django_otp(using="default", dry_run=False)
    assert counts == {"created": 2, "skipped": 0, "invalid": 0, "missing_tables": 0}

    mine = EmailDevice.objects.get(django_otp_id=own)
    assert (mine.user, mine.name, mine.email, mine.confirmed) == (user, "email", "", True)
    assert mine.recipient() == "alice@example.com"
    assert mine.created_at == FAILED_AT - timedelta(days=30)
    # The pending code and its send time stay behind: the user asks for a new one.
    assert (mine.token_hash, mine.valid_until, mine.last_generated_at) == ("", None, None)
    theirs = EmailDevice.objects.get(django_otp_id=other)
    assert (theirs.email, theirs.confirmed) == ("bob@work.example", False)
    assert (theirs.throttling_failure_count, theirs.throttling_failure_timestamp) == (
        3,
        FAILED_AT,
    )

    again = import_from_django_otp(using="default", dry_run=False)
    assert again == {"created": 0, "skipped": 2, "invalid": 0, "missing_tables": 0}
    assert EmailDevice.objects.count() == 2


def test_bad_address_is_counted_not_imported(user, django_otp_schema):
    django_otp_schema.create("otp_email")
    insert_email(django_otp_schema, user, email="not an address")
    counts = import_from_django_otp(using="default", dry_run=False)
    assert counts == {"created": 0, "skipped": 0, "invalid": 1, "missing_tables": 0}


def test_missing_table_is_counted():
    counts = import_from_django_otp(using="default", dry_run=False)
    assert counts["missing_tables"] == 1

"""otp_import_django_otp with django-two-factor-auth 1.18.1's phone devices."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

import pytest

from otp_core import plugins
from otp_phone.fields import PhoneNumber
from otp_phone.importer import import_from_django_two_factor
from otp_phone.models import PhoneDevice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("django_otp_schema"),
]

FAILED_AT = datetime(2026, 10, 1, 8, 30, tzinfo=timezone.utc)


def insert_phone(schema, user, **extra) -> int:
    row = {
        "name": "default",
        "confirmed": True,
        "throttling_failure_timestamp": None,
        "throttling_failure_count": 0,
        "number": "+31612345678",
        "key": secrets.token_hex(20),
        "method": "sms",
        "user_id": user.pk,
        **extra,
    }
    return schema.insert("two_factor_phonedevice", row)


def test_registered_with_the_import_command():
    path = plugins.get("phone").options["django_otp_importer"]
    assert path == "otp_phone.importer.import_from_django_two_factor"


def test_import_keeps_number_method_name_state_and_is_idempotent(user, django_otp_schema):
    django_otp_schema.create("phonenumber")
    backup = insert_phone(
        django_otp_schema, user, name="backup", number="+31612345679", method="call"
    )
    default = insert_phone(
        django_otp_schema, user, throttling_failure_count=2, throttling_failure_timestamp=FAILED_AT
    )
    counts = import_from_django_two_factor(using="default", dry_run=False)
    assert counts == {"created": 2, "skipped": 0, "invalid": 0, "missing_tables": 0}

    # The "default" phone is created first, so the login asks for it first.
    first, second = PhoneDevice.objects.order_by("pk")
    assert (first.django_otp_id, first.name, first.method) == (default, "default", "sms")
    assert (second.django_otp_id, second.name, second.method) == (backup, "backup", "call")
    assert isinstance(first.number, PhoneNumber)
    assert first.number.as_e164 == "+31612345678"
    assert (first.throttling_failure_count, first.throttling_failure_timestamp) == (2, FAILED_AT)
    assert (first.factor_kind, second.factor_kind) == ("sms", "tel")

    again = import_from_django_two_factor(using="default", dry_run=False)
    assert again == {"created": 0, "skipped": 2, "invalid": 0, "missing_tables": 0}


def test_other_notations_become_e164(user, django_otp_schema, settings):
    # django-phonenumber-field may store PHONENUMBER_DB_FORMAT = "INTERNATIONAL" or "RFC3966".
    django_otp_schema.create("phonenumber")
    insert_phone(django_otp_schema, user, number="+31 6 12345678")
    insert_phone(django_otp_schema, user, number="tel:+31-6-12345679")
    import_from_django_two_factor(using="default", dry_run=False)
    numbers = sorted(str(d.number) for d in PhoneDevice.objects.all())
    assert numbers == ["+31612345678", "+31612345679"]


def test_unusable_rows_are_counted_not_imported(user, django_otp_schema):
    django_otp_schema.create("phonenumber")
    insert_phone(django_otp_schema, user, number="not a number")
    insert_phone(django_otp_schema, user, number="+3161234")
    insert_phone(django_otp_schema, user, method="fax")
    counts = import_from_django_two_factor(using="default", dry_run=False)
    assert counts == {"created": 0, "skipped": 0, "invalid": 3, "missing_tables": 0}


def test_missing_table_is_counted():
    counts = import_from_django_two_factor(using="default", dry_run=False)
    assert counts["missing_tables"] == 1

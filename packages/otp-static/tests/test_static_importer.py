"""Import from django-otp's otp_static tables (django-otp 1.7.5's schema DDL)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.db import connection

from otp_core import plugins
from otp_static.importer import import_from_django_otp
from otp_static.models import StaticDevice, StaticToken

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("django_otp_schema"),
]


CREATED = datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
FAILED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
USED = datetime(2024, 6, 7, 8, 9, 10, tzinfo=timezone.utc)


@pytest.fixture
def django_otp_tables(db, django_otp_schema):
    """The tables as django-otp 1.7.5's migrations leave them (dropped after the test)."""
    django_otp_schema.create("otp_static")
    assert {"otp_static_staticdevice", "otp_static_statictoken"} <= set(
        connection.introspection.table_names()
    )


def counted(**nonzero: int) -> dict[str, int]:
    keys = ("created", "skipped", "invalid", "missing_tables", "tokens", "invalid_tokens")
    return {key: nonzero.get(key, 0) for key in keys}


def add_source_device(pk, user, *, name="backup", confirmed=True, tokens=(), failures=0, **times):
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO otp_static_staticdevice (id, name, confirmed, user_id, "
            "throttling_failure_count, throttling_failure_timestamp, created_at, last_used_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                pk,
                name,
                confirmed,
                user.pk,
                failures,
                adapt(times.get("failed")),
                adapt(times.get("created")),
                adapt(times.get("used")),
            ],
        )
        for token in tokens:
            cursor.execute(
                "INSERT INTO otp_static_statictoken (token, device_id) VALUES (%s, %s)",
                [token, pk],
            )


def test_the_importer_is_registered():
    assert (
        plugins.get("static").options["django_otp_importer"]
        == "otp_static.importer.import_from_django_otp"
    )


def test_devices_and_codes_are_imported_as_hashes(django_otp_tables, user, other_user):
    add_source_device(
        41, user, tokens=["abcd2345", "ABCD6789", "efgh2345"], created=CREATED, used=USED
    )
    add_source_device(
        42,
        other_user,
        name="spare",
        confirmed=False,
        tokens=["zzzz9999"],
        failures=3,
        failed=FAILED,
    )
    counts = import_from_django_otp(using="default", dry_run=False)
    assert counts == counted(created=2, tokens=4)

    alice = StaticDevice.objects.get(django_otp_id=41)
    assert (alice.user, alice.name, alice.confirmed) == (user, "backup", True)
    assert alice.created_at == CREATED
    assert alice.last_used_at == USED
    assert alice.throttling_failure_count == 0
    assert alice.remaining == 3
    bob = StaticDevice.objects.get(django_otp_id=42)
    assert (bob.user, bob.name, bob.confirmed) == (other_user, "spare", False)
    assert bob.throttling_failure_count == 3
    assert bob.throttling_failure_timestamp == FAILED

    stored = list(StaticToken.objects.values_list("token_hash", flat=True))
    for plain in ("abcd2345", "ABCD6789", "efgh2345", "zzzz9999"):
        assert all(plain.lower() not in h.lower() for h in stored)
    # The codes work as typed before, in any case and with separators.
    assert alice.verify_token("abcd2345")
    assert alice.verify_token("abcd-6789")
    assert alice.verify_token("EFGH 2345")
    assert alice.remaining == 0


def test_the_import_is_idempotent_and_never_revives_a_used_code(
    django_otp_tables, user, other_user
):
    add_source_device(7, user, tokens=["aaaa2222", "bbbb3333"])
    add_source_device(8, other_user, tokens=["cccc4444"])
    assert import_from_django_otp(using="default", dry_run=False)["created"] == 2
    device = StaticDevice.objects.get(user=user)
    assert device.verify_token("aaaa2222")

    again = import_from_django_otp(using="default", dry_run=False)
    assert again == counted(skipped=2)
    assert StaticDevice.objects.count() == 2
    assert StaticToken.objects.count() == 2
    device.throttle_reset()
    assert not device.verify_token("aaaa2222")

    # A device added to django-otp later is picked up by the next run.
    add_source_device(9, user, name="later", tokens=["dddd5555"])
    assert import_from_django_otp(using="default", dry_run=False) == counted(
        created=1, tokens=1, skipped=2
    )


def test_dry_run_counts_and_writes_nothing(django_otp_tables, user):
    add_source_device(3, user, tokens=["aaaa2222", "", "bbbb3333"])
    counts = import_from_django_otp(using="default", dry_run=True)
    assert counts == counted(created=1, tokens=2, invalid_tokens=1)
    assert not StaticDevice.objects.exists()
    assert not StaticToken.objects.exists()


def test_no_django_otp_tables_means_nothing_to_do(user):
    assert import_from_django_otp(using="default", dry_run=False) == counted(missing_tables=1)


def test_otp_cores_import_command_runs_this_importer(django_otp_tables, user):
    from io import StringIO

    from django.core.management import call_command

    add_source_device(5, user, tokens=["aaaa2222", "bbbb3333"])
    out = StringIO()
    call_command("otp_import_django_otp", "--dry-run", stdout=out)
    assert "[dry run] static: created=1, skipped=0" in out.getvalue()
    assert "tokens=2" in out.getvalue()
    assert not StaticDevice.objects.exists()
    out = StringIO()
    call_command("otp_import_django_otp", stdout=out)
    assert "static: created=1" in out.getvalue()
    assert StaticDevice.objects.get(django_otp_id=5).verify_token("bbbb3333")

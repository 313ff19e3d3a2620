"""Remembered browsers become otp-core's signed-in browser rows (``remembered_at`` set).

Each ``RememberedBrowser`` row is copied with its digest, so the remember
cookies already out there keep working; then the table goes. Going back
copies the remembered rows the other way.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Old = apps.get_model("two_factor_ui", "RememberedBrowser")
    New = apps.get_model("otp_core", "SignedInBrowser")
    db = schema_editor.connection.alias
    taken = set(New.objects.using(db).values_list("key_digest", flat=True))
    New.objects.using(db).bulk_create(
        [
            New(
                user_id=old.user_id,
                key_digest=old.key_digest,
                created_at=old.created_at,
                last_seen_at=old.last_used_at or old.created_at,
                user_agent=old.user_agent,
                signed_in=False,
                verifications=[],
                remembered_at=old.created_at,
                remembered_device_id=old.device_id,
            )
            for old in Old.objects.using(db).all()
            if old.key_digest not in taken
        ],
        batch_size=500,
    )


def backwards(apps, schema_editor):
    Old = apps.get_model("two_factor_ui", "RememberedBrowser")
    New = apps.get_model("otp_core", "SignedInBrowser")
    db = schema_editor.connection.alias
    Old.objects.using(db).bulk_create(
        [
            Old(
                user_id=row.user_id,
                key_digest=row.key_digest,
                device_id=row.remembered_device_id,
                user_agent=row.user_agent,
                last_used_at=row.last_seen_at,
            )
            for row in New.objects.using(db).filter(remembered_at__isnull=False)
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("two_factor_ui", "0001_initial"),
        ("otp_core", "0002_signed_in_browser"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="RememberedBrowser"),
    ]

"""The django-otp import command and its table reader (otp_core.importing)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from otp_core import plugins
from otp_core.importing import read_table

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("django_otp_schema"),
]


def test_read_table_missing_is_none():
    assert read_table("default", "otp_totp_no_such_table", ["key"]) is None


def test_read_table_reads_only_existing_columns(user):
    table = get_user_model()._meta.db_table
    rows = read_table("default", table, ["username", "no_such_column"])
    assert rows == [{"id": user.pk, "username": "alice"}]


def test_command_reports_each_importing_plugin():
    out = io.StringIO()
    call_command("otp_import_django_otp", "--dry-run", stdout=out)
    text = out.getvalue()
    importing = [
        p.name for p in plugins.installed().values() if p.options.get("django_otp_importer")
    ]
    if importing:
        for name in importing:
            assert f"[dry run] {name}: " in text
    else:
        assert "No installed plugin can import from django-otp." in text


def test_command_rejects_unknown_database():
    with pytest.raises(CommandError, match="Unknown database"):
        call_command("otp_import_django_otp", "--database", "nope")

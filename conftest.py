"""Fixtures shared by every package's tests."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

#: Fixtures that give a test the database: an ``engine_independent`` test may use none.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def pytest_collection_modifyitems(items):
    """An ``engine_independent`` test never reaches the database.

    The PostgreSQL and MariaDB cells deselect these tests (noxfile.py,
    tox.ini), so one that used the database would lose its coverage there:
    the run stops here instead, in every cell. (Without ``django_db``,
    pytest-django already refuses any query.)
    """
    wrong = [
        item.nodeid
        for item in items
        if item.get_closest_marker("engine_independent") is not None
        and (
            item.get_closest_marker("django_db") is not None
            or set(getattr(item, "fixturenames", ())) & DATABASE_FIXTURES
        )
    ]
    if wrong:
        raise pytest.UsageError(
            "marked engine_independent but they use the database: " + ", ".join(wrong)
        )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Password hashing is not what these tests are about; keep them quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.com", "correct horse")


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.com", "battery staple")


@pytest.fixture
def verified_login(client):
    """``verified_login(user, device)``: sign ``user`` in, session verified by ``device``.

    The demo's admin requires a verified session (as every admin should);
    returns the signed-in ``client``.
    """
    import time

    from otp_core.session import record_verification

    def login(user, device):
        client.force_login(user)
        session = client.session
        record_verification(session, device, at=time.time())
        session.save()
        return client

    return login


#: django-otp 1.7.5's schema as SQL per database vendor, for the import tests.
DJANGO_OTP_SCHEMA_DIR = Path(__file__).resolve().parent / (
    "packages/otp-core/tests/fixtures/django_otp_schema"
)
_MIGRATION_HEADER = re.compile(r"^-- (\w+) (\d{4}\w*)$", re.MULTILINE)

#: Tables of django-otp's (and django-two-factor-auth's) schema that the import
#: tests create, children first (dropped also under their ``_retired`` names).
DJANGO_OTP_TABLES = (
    "two_factor_phonedevice",
    "otp_email_emaildevice",
    "otp_static_statictoken",
    "otp_static_staticdevice",
    "otp_hotp_hotpdevice",
    "otp_totp_totpdevice",
)


class DjangoOTPSchema:
    """django-otp's tables, made by its own migrations' SQL, and rows in them."""

    def statements(self, app: str) -> list[str]:
        """The SQL of every migration of ``app`` for this database.

        ``app`` is a django-otp app label (``otp_totp``, ``otp_email`` ...) or
        ``phonenumber`` (django-two-factor-auth's phone table).
        """
        from django.db import connection

        path = DJANGO_OTP_SCHEMA_DIR / f"{connection.vendor}.sql"
        if not path.exists():
            pytest.fail(f"no django-otp schema fixture for {connection.vendor} in {path.parent}")
        parts = _MIGRATION_HEADER.split(path.read_text())
        statements = []
        # split() gives [preamble, app, migration, body, app, migration, body, ...]
        for name, _migration, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
            if name != app:
                continue
            lines = [ln for ln in body.splitlines() if ln and not ln.startswith("--")]
            for statement in "\n".join(lines).split(";\n"):
                statement = statement.strip().rstrip(";")
                if statement and statement.upper() not in ("BEGIN", "COMMIT"):
                    statements.append(statement)
        if not statements:
            pytest.fail(f"the schema fixture has no migrations of {app}")
        return statements

    def create(self, app: str) -> None:
        """Create ``app``'s tables as django-otp's migrations leave them."""
        from django.db import connection

        with connection.cursor() as cursor:
            for statement in self.statements(app):
                cursor.execute(statement)

    def insert(self, table: str, row: dict) -> int:
        """Insert ``row`` (datetimes adapted for the database); return the new id."""
        from django.db import connection

        row = {
            key: connection.ops.adapt_datetimefield_value(value)
            if isinstance(value, datetime)
            else value
            for key, value in row.items()
        }
        columns = ", ".join(connection.ops.quote_name(column) for column in row)
        marks = ", ".join(["%s"] * len(row))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))
            cursor.execute(f"SELECT MAX(id) FROM {table}")
            return cursor.fetchone()[0]

    def drop(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            for table in DJANGO_OTP_TABLES:
                for name in (table, f"{table}_retired"):
                    cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)}")


@pytest.fixture
def django_otp_schema():
    """django-otp's schema for import tests, dropped again afterwards.

    MySQL and MariaDB commit DDL at once, so such tests run with
    ``django_db(transaction=True)``; the tables Django does not know are
    dropped here.
    """
    schema = DjangoOTPSchema()
    yield schema
    schema.drop()

"""Fixtures shared by every package's tests."""

from __future__ import annotations

import pytest


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


#: Tables of django-otp's schema that the import tests create from fixture SQL.
DJANGO_OTP_TABLES = (
    "otp_static_statictoken",
    "otp_static_staticdevice",
    "otp_hotp_hotpdevice",
    "otp_totp_totpdevice",
)


@pytest.fixture
def drop_django_otp_tables():
    """Drop django-otp's tables after a test that created them.

    MySQL and MariaDB commit DDL at once, so such tests run with
    ``django_db(transaction=True)`` and clean up the tables Django does not know.
    """
    yield
    from django.db import connection

    with connection.cursor() as cursor:
        for table in DJANGO_OTP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")

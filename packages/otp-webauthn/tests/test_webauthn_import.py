"""otp_import_django_otp with django-two-factor-auth's and django-otp-webauthn's tables.

The tables are built as those packages' migrations leave them (neither is
installed); the keys in them are software authenticators' credentials, which
then sign in here through the ceremonies.
"""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command

from otp_core.session import second_factor_verifications
from otp_core.testing import foreign_tables
from otp_webauthn.models import WebAuthnDevice, WebAuthnUserHandle, random_user_handle

from .authenticator import Authenticator, b64

pytestmark = pytest.mark.django_db(transaction=True)

COMMON = (
    '"id" integer NOT NULL PRIMARY KEY, "name" varchar(64) NOT NULL, '
    '"confirmed" boolean NOT NULL, "user_id" integer NOT NULL, '
    '"created_at" datetime NULL, "last_used_at" datetime NULL'
)
TABLES = {
    # django-two-factor-auth 1.18 (two_factor.plugins.webauthn, label two_factor_webauthn).
    "two_factor_webauthn_webauthndevice": COMMON
    + ', "throttling_failure_timestamp" datetime NULL, "throttling_failure_count" integer NOT NULL'
    + ', "public_key" text NOT NULL, "key_handle" text NOT NULL, "sign_count" integer NOT NULL',
    # django-otp-webauthn 0.10 (label django_otp_webauthn).
    "django_otp_webauthn_webauthncredential": COMMON
    + ', "credential_type" varchar(32) NOT NULL, "credential_id" BINARY NOT NULL'
    + ', "public_key" BINARY NOT NULL, "transports" text NOT NULL'
    + ', "sign_count" integer NOT NULL, "backup_eligible" boolean NOT NULL'
    + ', "backup_state" boolean NOT NULL, "aaguid" varchar(36) NOT NULL'
    + ', "credential_id_sha256" varchar(64) NOT NULL, "discoverable" boolean NULL',
    "django_otp_webauthn_webauthnuserhandle": (
        '"handle_hex" varchar(128) NOT NULL, "user_id" integer NOT NULL PRIMARY KEY'
    ),
}


@pytest.fixture
def legacy():
    with foreign_tables(TABLES) as insert:
        yield insert


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("otp_import_django_otp", *args, stdout=out)
    return out.getvalue()


def two_factor_row(insert, user, key: Authenticator, pk: int = 1, count: int = 7) -> None:
    insert(
        "two_factor_webauthn_webauthndevice",
        id=pk,
        name="default",
        confirmed=True,
        user_id=user.pk,
        throttling_failure_count=0,
        public_key=b64(key.cose_key()),
        key_handle=b64(key.credential_id),
        sign_count=count,
    )


def otp_webauthn_rows(insert, user, key: Authenticator, handle: bytes, pk: int = 1) -> None:
    insert(
        "django_otp_webauthn_webauthncredential",
        id=pk,
        name="Phone passkey",
        confirmed=True,
        user_id=user.pk,
        credential_type="public-key",
        credential_id=key.credential_id,
        public_key=key.cose_key(),
        transports='["hybrid", "internal", "bogus"]',
        sign_count=0,
        backup_eligible=key.synced,
        backup_state=key.synced,
        aaguid="ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4",
        credential_id_sha256="x",
        discoverable=True,
    )
    insert("django_otp_webauthn_webauthnuserhandle", user_id=user.pk, handle_hex=handle.hex())


def test_two_factor_auth_key_keeps_working(legacy, user, client, ceremonies):
    key = Authenticator()
    key.count = 7
    two_factor_row(legacy, user, key, count=7)
    assert "webauthn: created=1, skipped=0, invalid=0, missing_tables=0" in run()
    device = WebAuthnDevice.objects.get(user=user)
    assert bytes(device.credential_id) == key.credential_id
    assert bytes(device.public_key) == key.cose_key()
    assert (device.sign_count, device.factor_kind, device.name) == (7, "hwk", "default")
    # Its owner signs in with it as a second factor; the counter must go up.
    client.force_login(user)
    options = ceremonies.begin("authenticate")
    response = ceremonies.post("authenticate-complete", key.get(options, user_handle=None))
    assert response.status_code == 200, response.content
    device.refresh_from_db()
    assert device.sign_count == 8
    # Idempotent: a second run creates nothing.
    assert "webauthn: created=0, skipped=1" in run()
    assert WebAuthnDevice.objects.count() == 1


def test_a_two_factor_auth_discoverable_key_sends_its_old_handle(
    legacy, user, other_user, client, ceremonies
):
    """django-two-factor-auth's handle (SHA-1 of the pk) still names its user, only them."""
    from otp_webauthn.ceremonies import legacy_two_factor_handle

    key = Authenticator()
    two_factor_row(legacy, user, key, count=0)
    run()
    client.force_login(user)
    options = ceremonies.begin("authenticate")
    answer = key.get(options, user_handle=legacy_two_factor_handle(other_user))
    assert ceremonies.post("authenticate-complete", answer).json()["error"] == (
        "unknown_credential"
    )
    options = ceremonies.begin("authenticate")
    answer = key.get(options, user_handle=legacy_two_factor_handle(user))
    response = ceremonies.post("authenticate-complete", answer)
    assert response.status_code == 200, response.content


def test_a_replayed_old_counter_is_still_caught(legacy, user, client, ceremonies):
    key = Authenticator()
    two_factor_row(legacy, user, key, count=50)
    run()
    client.force_login(user)
    options = ceremonies.begin("authenticate")
    response = ceremonies.post("authenticate-complete", key.get(options, count=3))
    assert response.json()["error"] == "sign_count"


def test_django_otp_webauthn_passkey_signs_in_without_a_password(legacy, user, client, ceremonies):
    key = Authenticator(synced=True, counter=False)
    handle = random_user_handle()
    key.user_handle = handle
    otp_webauthn_rows(legacy, user, key, handle)
    out = run()
    assert "webauthn: created=1" in out
    assert "handles_created=1" in out
    device = WebAuthnDevice.objects.get(user=user)
    assert (device.factor_kind, device.discoverable, device.transports) == (
        "swk",
        True,
        ["hybrid", "internal"],
    )
    assert bytes(WebAuthnUserHandle.objects.get(user=user).handle) == handle
    # An anonymous visitor signs in with the imported passkey.
    options = ceremonies.begin("authenticate")
    assert "allowCredentials" not in options or options["allowCredentials"] == []
    response = ceremonies.post("authenticate-complete", key.get(options))
    assert response.status_code == 200, response.content
    [entry] = second_factor_verifications(client.session)
    assert (entry.amr, entry.passwordless) == ("swk", True)
    assert "webauthn: created=0, skipped=1" in run()


def test_bad_rows_are_counted_not_imported(legacy, user, other_user):
    key = Authenticator()
    legacy(
        "two_factor_webauthn_webauthndevice",
        id=1,
        name="broken",
        confirmed=True,
        user_id=user.pk,
        throttling_failure_count=0,
        public_key="",
        key_handle="***",
        sign_count=0,
    )
    two_factor_row(legacy, type(user)(pk=999999), key, pk=2)  # no such user
    out = run()
    assert "webauthn: created=0, skipped=0, invalid=2" in out
    assert base64.b64encode(key.cose_key()).decode() not in out
    assert not WebAuthnDevice.objects.exists()


def test_dry_run_changes_nothing(legacy, user):
    two_factor_row(legacy, user, Authenticator())
    assert "[dry run] webauthn: created=1" in run("--dry-run")
    assert not WebAuthnDevice.objects.exists()


def test_no_tables_no_harm(user):
    assert "webauthn: created=0, skipped=0, invalid=0, missing_tables=2" in run()

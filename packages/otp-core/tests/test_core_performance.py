"""Issue 15: what a sign-in costs (listings, decryptions, session keys, row reads, imports)."""

from __future__ import annotations

import hmac
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import login as django_login
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from otp_example.models import ExampleDevice

import otp_core
from otp_core import crypto, oath
from otp_core.auth import devices_for_user
from otp_core.middleware import OTPMiddleware
from otp_core.models.fields import SealedSecret
from otp_core.testing import loaded_at_startup
from otp_core.verification import device_to_verify, verify

from .conftest import make_device

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def decryptions(monkeypatch):
    """How many times a stored secret is decrypted (a spy: the real decrypt runs)."""
    calls = []
    real = crypto.decrypt

    def spy(ciphertext: str) -> str:
        calls.append(1)
        return real(ciphertext)

    monkeypatch.setattr(crypto, "decrypt", spy)
    return calls


def _selects_of(ctx: CaptureQueriesContext, model) -> list[str]:
    table = model._meta.db_table
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]
    ]


# -- 5. import cost -----------------------------------------------------------


#: The environment of a worker of the test project (SQLite).
TEST_PROJECT = {
    "DJANGO_SETTINGS_MODULE": "test_project.settings",
    "OTP_DB": "sqlite",
    "PYTHONPATH": str(ROOT / "test_project"),
}


def _run_in_test_project(code: str) -> None:
    """Run ``code`` in a fresh interpreter on the test project (SQLite); it must exit 0."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **TEST_PROJECT},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_django_setup_imports_no_cryptography():
    """Every app of the test project installed: the extension loads on first use only."""
    code = (
        "import sys, django; django.setup(); "
        "from django.conf import settings; "
        # Every installed distribution is an app (an isolation session has fewer).
        "from importlib.util import find_spec; "
        "assert all(find_spec(a) is None or a in settings.INSTALLED_APPS "
        "for a in ('otp_yubikey', 'otp_webauthn', 'two_factor_ui')), settings.INSTALLED_APPS; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'cryptography'); "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    _run_in_test_project(code)


#: Modules a worker serving sign-ins never needs: loaded on first use, not at start-up.
NOT_AT_STARTUP = (
    "otp_core.legacy_tables",  # django-otp's tables: the import commands, old session ids
    "otp_core.importing",
    "otp_core.budgets",  # send budgets: where a code is sent
    "otp_core.notifications",  # mails: the first change reported (otp_core.deferred)
    "otp_core.policy_checks",  # system checks: when they run (manage.py check)
    "otp_core.key_checks",
    "otp_core.rotation",
    "otp_core.admin_checks",
    "otp_totp.checks",
    "two_factor_ui.checks",
)


def test_a_worker_starts_without_the_modules_it_does_not_need():
    """``django.setup()``, the URLconf and the middleware of the test project (every plugin)."""
    assert loaded_at_startup(NOT_AT_STARTUP, TEST_PROJECT) == []


def test_derived_keys_are_cryptographys_hkdf():
    """The stdlib HKDF gives the bytes cryptography's HKDF gave (no secret is lost)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    for material in ("django-insecure-key", b"\x00" * 80, "ключ"):
        raw = material.encode() if isinstance(material, str) else material
        for purpose in (b"encryption", b"code-hash", b"send-budget"):
            expected = HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=b"otp_core/" + purpose
            ).derive(raw)
            assert crypto._derive(material, purpose) == expected


# -- 1. lazy decryption, one listing ------------------------------------------


@pytest.mark.django_db
def test_listing_decrypts_no_secret_until_one_is_read(user, decryptions):
    make_device(user)
    make_device(user)
    devices = devices_for_user(user)
    assert len(devices) == 2
    assert decryptions == []  # listed only
    assert all(isinstance(d.__dict__["key"], SealedSecret) for d in devices)
    key = devices[0].key
    assert bytes.fromhex(key)  # the plaintext
    assert decryptions == [1]
    assert devices[0].key == key
    assert decryptions == [1]  # once per row


@pytest.mark.django_db
def test_a_sealed_secret_is_never_in_repr_and_saves_unchanged(user):
    device = make_device(user)
    loaded = ExampleDevice.objects.get(pk=device.pk)
    sealed = loaded.__dict__["key"]
    assert repr(sealed) == "<SealedSecret>"
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(ExampleDevice._meta.db_table)
        key = connection.ops.quote_name("key")  # a reserved word on MariaDB
        cursor.execute(f"SELECT {key} FROM {table} WHERE id = %s", [device.pk])
        (before,) = cursor.fetchone()
    loaded.name = "renamed"
    loaded.save()  # the secret was never read: the stored ciphertext stays
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key} FROM {table} WHERE id = %s", [device.pk])
        (after,) = cursor.fetchone()
    assert after == before
    assert ExampleDevice.objects.get(pk=device.pk).key == device.key


@pytest.mark.django_db
def test_devices_are_listed_once_per_user_object(user, django_assert_num_queries):
    first = make_device(user)
    with CaptureQueriesContext(connection) as ctx:
        listed = devices_for_user(user)
    assert [d.pk for d in listed if isinstance(d, ExampleDevice)] == [first.pk]
    assert len(_selects_of(ctx, ExampleDevice)) == 1
    with django_assert_num_queries(0):
        assert devices_for_user(user) == listed
    # A device added in the same request is seen at once; a removed one is gone.
    second = make_device(user)
    assert {d.pk for d in devices_for_user(user) if isinstance(d, ExampleDevice)} == {
        first.pk,
        second.pk,
    }
    first.delete()
    assert [d.pk for d in devices_for_user(user) if isinstance(d, ExampleDevice)] == [second.pk]
    # Confirming one (a save) too.
    second.confirmed = False
    second.save()
    assert [d for d in devices_for_user(user) if isinstance(d, ExampleDevice)] == []


# -- 2. one new session key per privilege change --------------------------------


@pytest.mark.django_db
def test_django_login_then_otp_login_draws_one_new_key(rf, user, device, monkeypatch):
    drawn = []
    real = SessionStore._get_new_session_key

    def spy(self):  # type: ignore[no-untyped-def]
        key = real(self)
        drawn.append(key)
        return key

    session = SessionStore()
    session["kept"] = "yes"
    session.create()
    incoming = session.session_key
    request = rf.get("/")
    request.session = session
    request.user = user
    OTPMiddleware(lambda r: None)(request)
    monkeypatch.setattr(SessionStore, "_get_new_session_key", spy)

    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_core.login(request, device)
    request.session.save()

    assert len(drawn) == 1  # Django's login() drew it; otp_core.login() did not again
    assert request.session.session_key not in (None, incoming)
    assert not SessionStore().exists(incoming)
    reloaded = SessionStore(session_key=request.session.session_key).load()
    assert reloaded["kept"] == "yes"
    assert reloaded["otp_device_id"] == device.persistent_id


# -- 3. one read of the device row to verify ---------------------------------


@pytest.mark.django_db
def test_a_device_to_verify_is_read_once_under_its_lock(user, device, otp_code):
    target = device_to_verify(device.persistent_id, user)
    assert target.get_deferred_fields()  # nothing read yet
    with CaptureQueriesContext(connection) as ctx:
        result = verify(target, otp_code(device))
    assert result.accepted
    assert len(_selects_of(ctx, ExampleDevice)) == 1
    assert not target.get_deferred_fields()  # filled from the locked row
    assert target.name == device.name
    assert target.counter == device.counter + 1


@pytest.mark.django_db
def test_a_device_to_verify_of_someone_else_is_refused(user, other_user, device, otp_code):
    target = device_to_verify(device.persistent_id, other_user)
    assert not verify(target, otp_code(device)).accepted
    device.refresh_from_db()
    unconfirmed = make_device(user, confirmed=False)
    assert not verify(device_to_verify(unconfirmed.persistent_id, user), otp_code(unconfirmed))
    assert device_to_verify("nope.nothing/1", user) is None
    assert device_to_verify(device.persistent_id + "x", user) is None


# -- 4. single-counter HOTP -----------------------------------------------------


@pytest.mark.parametrize("algorithm", oath.ALGORITHMS)
def test_one_counter_hmac_is_hmac(algorithm):
    for key in (b"k", bytes(range(20)), b"\xff" * 64, b"long" * 40, bytearray(b"abc")):
        for counter in (0, 1, 2**32, 2**64 - 1):
            message = counter.to_bytes(8, "big")
            assert oath._one_mac(key, message, algorithm) == hmac.digest(
                bytes(key), message, algorithm
            )


def test_single_counter_verify_agrees_with_the_window_search():
    key = bytes(range(20))
    for counter in range(50):
        right = oath.format_token(oath.hotp(key, counter))
        wrong = oath.format_token((int(right) + 1) % 10**6)
        assert oath.verify_hotp(key, right, counter) == counter
        assert oath.verify_hotp(key, int(right), counter) == counter
        assert oath.verify_hotp(key, wrong, counter) is None
        assert oath.verify_hotp(key, right, counter, window=-1) is None
    assert oath.verify_hotp(key, "١٢٣٤٥٦", 0) is None  # non-ASCII digits
    assert oath.verify_hotp(key, "12345", 0) is None

"""otp_import_django_otp with django-otp-yubikey 1.1.0's tables (read after it is uninstalled)."""

from __future__ import annotations

import base64
import io
import struct

import pytest
from django.core.management import call_command

from otp_core.testing import foreign_tables
from otp_core.verification import verify
from otp_yubikey.importer import import_from_django_otp_yubikey, legacy_public_id
from otp_yubikey.models import RemoteYubikeyDevice, ValidationService, YubikeyDevice

from .ykval_server import API_ID, API_KEY

pytestmark = pytest.mark.django_db(transaction=True)

#: django-otp-yubikey's tables as its migrations 0001 and 0002 leave them.
TABLES = {
    "otp_yubikey_validationservice": (
        '"id" integer NOT NULL PRIMARY KEY, "name" varchar(32) NOT NULL, '
        '"api_id" integer NOT NULL, "api_key" varchar(64) NOT NULL, '
        '"base_url" varchar(200) NOT NULL, "api_version" varchar(8) NOT NULL, '
        '"use_ssl" boolean NOT NULL, "param_sl" varchar(16) NOT NULL, '
        '"param_timeout" varchar(16) NOT NULL'
    ),
    "otp_yubikey_yubikeydevice": (
        '"id" integer NOT NULL PRIMARY KEY, "name" varchar(64) NOT NULL, '
        '"confirmed" boolean NOT NULL, "private_id" varchar(12) NOT NULL, '
        '"key" varchar(32) NOT NULL, "session" integer NOT NULL, "counter" integer NOT NULL, '
        '"user_id" integer NOT NULL'
    ),
    "otp_yubikey_remoteyubikeydevice": (
        '"id" integer NOT NULL PRIMARY KEY, "name" varchar(64) NOT NULL, '
        '"confirmed" boolean NOT NULL, "public_id" varchar(32) NOT NULL, '
        '"service_id" integer NOT NULL, "user_id" integer NOT NULL'
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


def test_legacy_public_id_is_the_modhex_primary_key():
    assert legacy_public_id(1) == "cccccccb"
    assert legacy_public_id(0x0102ABCD) == "cbcdlnrt"
    assert legacy_public_id(7) == "ccccccc" + "i"
    assert struct.pack(">I", 7).hex() == "00000007"


def test_devices_and_services_come_over_and_keep_working(legacy, user, make_key, ykval, settings):
    settings.OTP_YUBIKEY_THROTTLE_FACTOR = 0
    local = make_key(public_id=legacy_public_id(7))
    remote = make_key(public_id="vvccccdfhnfk")
    legacy(
        "otp_yubikey_validationservice",
        id=3,
        name="default",
        api_id=API_ID,
        api_key=API_KEY,
        base_url=ykval.url,
        api_version="2.0",
        use_ssl=True,
        param_sl="",
        param_timeout="",
    )
    legacy(
        "otp_yubikey_validationservice",
        id=4,
        name="unsigned",
        api_id=1,
        api_key="",
        base_url="",
        api_version="1.1",
        use_ssl=False,
        param_sl="",
        param_timeout="",
    )
    # Session 0x8004: django-otp-yubikey kept the caps-lock bit in the counter.
    legacy(
        "otp_yubikey_yubikeydevice",
        id=7,
        name="Blue",
        confirmed=True,
        private_id=local.uid,
        key=local.aes,
        session=0x8004,
        counter=9,
        user_id=user.pk,
    )
    legacy(
        "otp_yubikey_yubikeydevice",
        id=8,
        name="Broken",
        confirmed=True,
        private_id="xyz",
        key=local.aes,
        session=0,
        counter=0,
        user_id=user.pk,
    )
    legacy(
        "otp_yubikey_remoteyubikeydevice",
        id=2,
        name="Cloud",
        confirmed=True,
        public_id=remote.public_id,
        service_id=3,
        user_id=user.pk,
    )
    legacy(
        "otp_yubikey_remoteyubikeydevice",
        id=5,
        name="Orphan",
        confirmed=True,
        public_id="vvccccdfhnfl",
        service_id=4,
        user_id=user.pk,
    )

    out = run()
    assert (
        "yubikey: services_created=1, services_skipped=0, services_invalid=1, "
        "local_created=1, local_skipped=0, local_invalid=1, "
        "remote_created=1, remote_skipped=0, remote_invalid=1, missing_tables=0"
    ) in out

    service = ValidationService.objects.get()
    assert (service.name, service.api_key, service.django_otp_id) == ("default", API_KEY, 3)
    device = YubikeyDevice.objects.get()
    assert (device.public_id, device.session, device.counter) == (local.public_id, 4, 9)
    assert device.key == local.aes
    assert not verify(device, local.otp(4, 9)).accepted  # the last OTP used before the move
    assert verify(device, local.otp(4, 10)).accepted
    remote_device = RemoteYubikeyDevice.objects.get()
    assert verify(remote_device, remote.otp()).accepted

    again = run()
    assert "services_skipped=1" in again
    assert "local_skipped=1" in again
    assert "remote_skipped=1" in again
    assert YubikeyDevice.objects.count() == 1


def test_dry_run_and_missing_tables(user):
    counts = import_from_django_otp_yubikey(using="default", dry_run=True)
    assert counts["missing_tables"] == 3
    assert sum(v for k, v in counts.items() if k != "missing_tables") == 0


def test_key_is_never_printed(legacy, user, make_key, capsys):
    key = make_key(public_id=legacy_public_id(1))
    legacy(
        "otp_yubikey_yubikeydevice",
        id=1,
        name="k",
        confirmed=True,
        private_id=key.uid,
        key=key.aes[:-1] + "x",
        session=0,
        counter=0,
        user_id=user.pk,
    )
    out = run()
    assert "local_invalid=1" in out
    assert key.aes[:-1] not in out
    assert base64.b64encode(bytes.fromhex(key.uid)).decode() not in out

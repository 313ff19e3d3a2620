"""Moving over: a django-otp 1.7.5 + django-two-factor-auth 1.18.1 database, imported.

The old tables are made by those versions' own migrations (SQL fixtures per
database, see the root conftest), with users of every device kind in them.
Then ``otp_import_django_otp`` runs, and every user signs in through
two-factor-ui's login with the factor they had; sessions verified under
django-otp and django-two-factor-auth's remember cookies carry over; and
``otp_retire_django_otp`` retires and drops the old tables. Runs on every
database cell (SQLite, PostgreSQL, MariaDB).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import secrets
import time
from datetime import datetime, timezone

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import CommandError, call_command
from django.core.signing import b62_encode
from django.db import connection
from django.utils.crypto import salted_hmac

from otp_core import oath
from otp_core.session import DEVICE_ID_SESSION_KEY, VERIFICATIONS_SESSION_KEY
from otp_email.models import EmailDevice
from otp_hotp.models import HOTPDevice
from otp_phone.models import PhoneDevice
from otp_static.models import StaticDevice
from otp_totp.models import TOTPDevice

pytestmark = [
    pytest.mark.django_db(transaction=True),  # MariaDB commits DDL at once
    pytest.mark.moving_over,
]

PASSWORD = "correct horse"
CODE = re.compile(r"\b(\d{6})\b")
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
APPS = ("otp_totp", "otp_hotp", "otp_static", "otp_email", "phonenumber")
TABLES = (
    "otp_totp_totpdevice",
    "otp_hotp_hotpdevice",
    "otp_static_staticdevice",
    "otp_static_statictoken",
    "otp_email_emaildevice",
    "two_factor_phonedevice",
)


class Site:
    """The old site's users and the ids of their rows in the old tables."""

    def __init__(self, schema, django_user_model):
        self.schema = schema
        self.users = {}
        self.rows: dict[str, int] = {}
        self.keys: dict[str, str] = {}
        self.codes: dict[str, list[str]] = {}
        make = django_user_model.objects.create_user
        for name in ("tina", "hank", "emma", "sam", "carl"):
            self.users[name] = make(name, f"{name}@example.com", PASSWORD)

    def device(self, table: str, user: str, **row) -> int:
        row = {
            "user_id": self.users[user].pk,
            "confirmed": True,
            "throttling_failure_count": 0,
            **row,
        }
        return self.schema.insert(table, row)

    def build(self):
        # Tina: TOTP (two-factor-auth's "default") and backup codes.
        self.keys["tina"] = secrets.token_hex(20)
        self.rows["tina"] = self.device(
            "otp_totp_totpdevice",
            "tina",
            name="default",
            key=self.keys["tina"],
            step=30,
            t0=0,
            digits=6,
            tolerance=1,
            drift=0,
            last_t=-1,
            created_at=NOW,
        )
        self.backup_codes("tina")
        # Hank: an HOTP token at counter 5.
        self.keys["hank"] = secrets.token_hex(20)
        self.rows["hank"] = self.device(
            "otp_hotp_hotpdevice",
            "hank",
            name="default",
            key=self.keys["hank"],
            digits=6,
            tolerance=5,
            counter=5,
            created_at=NOW,
        )
        # Emma: only an e-mail device, address null ("the user's own").
        self.rows["emma"] = self.device(
            "otp_email_emaildevice",
            "emma",
            name="email",
            token="123456",
            valid_until=NOW,
            email=None,
            created_at=NOW,
        )
        # Sam: SMS to the default phone, a backup phone, and backup codes.
        self.rows["sam-backup-phone"] = self.device(
            "two_factor_phonedevice",
            "sam",
            name="backup",
            number="+31612345679",
            key=secrets.token_hex(20),
            method="call",
        )
        self.rows["sam"] = self.device(
            "two_factor_phonedevice",
            "sam",
            name="default",
            number="+31612345678",
            key=secrets.token_hex(20),
            method="sms",
        )
        self.backup_codes("sam")
        # Carl: a phone number no one can text (left behind by the import).
        self.rows["carl"] = self.device(
            "two_factor_phonedevice",
            "carl",
            name="default",
            number="not a number",
            key=secrets.token_hex(20),
            method="sms",
        )
        return self

    def backup_codes(self, user: str) -> None:
        device = self.device("otp_static_staticdevice", user, name="backup", created_at=NOW)
        self.rows[f"{user}-static"] = device
        self.codes[user] = [secrets.token_hex(4) for _ in range(3)]
        for code in self.codes[user]:
            self.schema.insert("otp_static_statictoken", {"device_id": device, "token": code})

    def drop_carl(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM two_factor_phonedevice WHERE id = %s",
                [self.rows["carl"]],
            )


@pytest.fixture
def site(django_otp_schema, django_user_model):
    for app in APPS:
        django_otp_schema.create(app)
    return Site(django_otp_schema, django_user_model).build()


@pytest.fixture
def imported(site):
    site.drop_carl()
    call_command("otp_import_django_otp", "--strict", stdout=io.StringIO())
    return site


@pytest.fixture
def texts(settings, caplog):
    settings.TWO_FACTOR_SMS_GATEWAY = "fake"
    settings.TWO_FACTOR_CALL_GATEWAY = "fake"
    caplog.set_level(logging.INFO, logger="two_factor")
    return lambda: [CODE.search(r.getMessage()).group(1) for r in caplog.records if "Fake" in r.msg]


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("otp_import_django_otp", *args, stdout=out)
    return out.getvalue()


def report_row(text: str, table: str) -> list[str]:
    [line] = [line for line in text.splitlines() if line.startswith(table + " ")]
    return re.split(r"\s{2,}", line.strip())


def totp_code(key: str) -> str:
    return oath.format_token(oath.hotp(bytes.fromhex(key), int(time.time()) // 30))


# -- the import and its report -------------------------------------------------


def test_report_lists_every_table_strict_fails_on_what_is_left(site):
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command("otp_import_django_otp", "--strict", stdout=out)
    text = out.getvalue()
    # table, from, rows, imported, already imported, left behind, why
    assert report_row(text, "otp_totp_totpdevice") == [
        "otp_totp_totpdevice", "django-otp", "1", "1", "0", "0", "-",
    ]  # fmt: skip
    assert report_row(text, "otp_static_statictoken")[2:6] == ["6", "6", "0", "0"]
    assert report_row(text, "otp_email_emaildevice")[1:6] == ["django-otp", "1", "1", "0", "0"]
    assert report_row(text, "two_factor_phonedevice") == [
        "two_factor_phonedevice", "django-two-factor-auth", "3", "2", "0", "1",
        "1 invalid row (a value the model refuses)",
    ]  # fmt: skip
    assert "1 row(s) left behind." in text

    # What is left stays left: the second run imports nothing and says so.
    text = run_import()
    for table in TABLES:
        row = report_row(text, table)
        assert row[3] == "0", row
        assert row[4] == row[2] or table == "two_factor_phonedevice", row
    assert report_row(text, "two_factor_phonedevice")[3:6] == ["0", "2", "1"]

    site.drop_carl()
    text = run_import("--strict")
    assert "Nothing left behind." in text
    assert TOTPDevice.objects.count() == HOTPDevice.objects.count() == 1
    assert EmailDevice.objects.count() == 1
    assert PhoneDevice.objects.count() == 2
    assert StaticDevice.objects.count() == 2


def test_dry_run_reports_and_writes_nothing(site):
    site.drop_carl()
    text = run_import("--dry-run", "--strict")
    assert "[dry run] would be:" in text
    assert report_row(text, "otp_hotp_hotpdevice")[2:6] == ["1", "1", "0", "0"]
    assert HOTPDevice.objects.count() == PhoneDevice.objects.count() == 0


def test_unknown_kinds_of_table_are_reported_as_left_behind(site):
    site.drop_carl()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE otp_foo_foodevice (id integer PRIMARY KEY, name varchar(9))")
        cursor.execute("INSERT INTO otp_foo_foodevice (id, name) VALUES (1, 'x')")
    try:
        with pytest.raises(CommandError):
            call_command("otp_import_django_otp", "--strict", stdout=io.StringIO())
        text = run_import()
        assert report_row(text, "otp_foo_foodevice")[-1] == "1 a kind no otp-* package imports"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE otp_foo_foodevice")


def test_imported_devices_carry_what_they_had(imported):
    users = imported.users
    email = EmailDevice.objects.get(user=users["emma"])
    assert (email.email, email.recipient(), email.confirmed) == ("", "emma@example.com", True)
    assert email.django_otp_id == imported.rows["emma"]
    assert not email.token_hash  # the pending code is not carried over
    phones = PhoneDevice.objects.filter(user=users["sam"]).order_by("pk")
    assert [(p.name, p.method, p.number.as_e164) for p in phones] == [
        ("default", "sms", "+31612345678"),
        ("backup", "call", "+31612345679"),
    ]


# -- every user signs in with the factor they had ------------------------------


def test_totp_and_backup_codes_sign_in(imported, client, login_flow):
    response = login_flow.password("tina")
    assert response.context["wizard"]["steps"].current == "token"
    response = login_flow.token(totp_code(imported.keys["tina"]))
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(imported.users["tina"].pk)
    client.logout()
    login_flow.password("tina")
    login_flow.post("token", wizard_goto_step="backup")
    assert login_flow.backup(imported.codes["tina"][0]).status_code == 302


def test_hotp_signs_in(imported, client, login_flow):
    login_flow.password("hank")
    code = oath.format_token(oath.hotp(bytes.fromhex(imported.keys["hank"]), 5))
    assert login_flow.token(code).status_code == 302
    assert client.session[SESSION_KEY] == str(imported.users["hank"].pk)


def test_email_only_user_is_asked_for_the_mailed_code(imported, client, login_flow, locmem_mail):
    response = login_flow.password("emma")
    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "token"
    assert SESSION_KEY not in client.session  # no sign-in with the password alone
    [message] = locmem_mail
    assert message.to == ["emma@example.com"]
    assert login_flow.token(CODE.search(message.body).group(1)).status_code == 302
    assert client.session[SESSION_KEY] == str(imported.users["emma"].pk)


def test_sms_and_backup_codes_user_gets_the_sms_step_first(imported, client, login_flow, texts):
    response = login_flow.password("sam")
    html = response.content.decode()
    assert response.context["wizard"]["steps"].current == "token"
    assert "We sent a text message to" in html
    [code] = texts()
    assert login_flow.token(code).status_code == 302
    assert client.session[SESSION_KEY] == str(imported.users["sam"].pk)
    client.logout()
    login_flow.password("sam")
    login_flow.post("token", wizard_goto_step="backup")
    assert login_flow.backup(imported.codes["sam"][1]).status_code == 302


# -- sessions verified by django-otp -------------------------------------------


def legacy_session(client, user, persistent_id):
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()


def test_django_otp_session_stays_verified_and_is_rewritten(imported, client):
    tina = imported.users["tina"]
    legacy_session(client, tina, f"otp_totp.totpdevice/{imported.rows['tina']}")
    assert client.get("/protected/decorator/").status_code == 200
    device = TOTPDevice.objects.get(user=tina)
    session = client.session
    assert session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    entry = session[VERIFICATIONS_SESSION_KEY][-1]  # after the password
    assert (entry["d"], entry["t"]) == (device.persistent_id, 0.0)
    # The old import-path form of the id, and django-two-factor-auth's phones.
    old_path = "django_otp.plugins.otp_static.models.StaticDevice"
    legacy_session(client, tina, f"{old_path}/{imported.rows['tina-static']}")
    assert client.get("/protected/decorator/").status_code == 200
    legacy_session(client, imported.users["sam"], f"phonenumber.phonedevice/{imported.rows['sam']}")
    assert client.get("/protected/decorator/").status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "otp_totp.totpdevice/{tina}",  # Tina's device in Hank's session
        "otp_static.staticdevice/{tina_static}",
        "otp_hotp.hotpdevice/999999",  # never imported
        "otp_hotp.hotpdevice/{hank}/1",
        "otp_hotp.hotpdevice/-{hank}",
        "otp_hotp.hotpdevice/" + "9" * 30,
        "otp_hotp.hotpdevice/\u0661",
        "auth.user/{hank}",
        "two_factor.hotpdevice/{hank}",
    ],
)
def test_forged_django_otp_session_values_are_refused(imported, client, value):
    rows = {key.replace("-", "_"): pk for key, pk in imported.rows.items()}
    legacy_session(client, imported.users["hank"], value.format(**rows))
    assert client.get("/protected/decorator/").status_code == 302
    assert [v["k"] for v in client.session[VERIFICATIONS_SESSION_KEY]] == ["pwd"]
    # Hank's own old id does verify (the values above were refused for what they are).
    legacy_session(client, imported.users["hank"], f"otp_hotp.hotpdevice/{rows['hank']}")
    assert client.get("/protected/decorator/").status_code == 200


def test_unconfirmed_device_or_setting_off_refuses_the_old_session(imported, client, settings):
    tina = imported.users["tina"]
    value = f"otp_totp.totpdevice/{imported.rows['tina']}"
    settings.OTP_LEGACY_SESSIONS = False
    legacy_session(client, tina, value)
    assert client.get("/protected/decorator/").status_code == 302
    settings.OTP_LEGACY_SESSIONS = True
    TOTPDevice.objects.filter(user=tina).update(confirmed=False)
    legacy_session(client, tina, value)
    assert client.get("/protected/decorator/").status_code == 302


# -- django-two-factor-auth's remember cookies ---------------------------------


def two_factor_cookie(user, persistent_id: str, issued: float | None = None) -> str:
    """A remember cookie as django-two-factor-auth 1.18.1 makes it (views/utils.py)."""
    stamp = b62_encode(int(time.time() if issued is None else issued))
    key = hashlib.md5(persistent_id.encode()).hexdigest()
    value = salted_hmac(
        "two_factor.views.utils.hash_remember_device_cookie_value",
        persistent_id + str(user.pk) + str(user.password) + stamp,
        algorithm="sha256",
    ).hexdigest()
    return f"{stamp}:{key}:{value}"


@pytest.fixture
def remember_on(settings):
    settings.TWO_FACTOR_REMEMBER_COOKIE_AGE = 3600
    return settings


def test_remember_cookie_is_honoured_once_and_reissued(imported, client, login_flow, remember_on):
    tina = imported.users["tina"]
    old_id = f"otp_totp.totpdevice/{imported.rows['tina']}"
    client.cookies["remember-cookie_old"] = two_factor_cookie(tina, old_id)
    response = login_flow.password("tina")
    assert response.status_code == 302  # no token step
    assert client.session[SESSION_KEY] == str(tina.pk)
    assert client.get("/protected/decorator/").status_code == 200
    assert response.cookies["remember-cookie_old"].value == ""  # deleted
    ours = [c for n, c in response.cookies.items() if n.startswith("remember-cookie_") and c.value]
    assert len(ours) == 1
    # The new cookie alone signs Tina in again (logout() forgets every cookie).
    client.logout()
    client.cookies[ours[0].key] = ours[0].value
    assert login_flow.password("tina").status_code == 302


@pytest.mark.parametrize("case", ["forged", "expired", "future", "other-device", "setting-off"])
def test_bad_remember_cookies_are_refused(imported, client, login_flow, remember_on, case):
    tina = imported.users["tina"]
    old_id = f"otp_totp.totpdevice/{imported.rows['tina']}"
    cookie = two_factor_cookie(tina, old_id)
    if case == "forged":
        cookie = cookie[:-4] + ("0000" if not cookie.endswith("0000") else "1111")
    elif case == "expired":
        cookie = two_factor_cookie(tina, old_id, issued=time.time() - 3700)
    elif case == "future":
        cookie = two_factor_cookie(tina, old_id, issued=time.time() + 3600)
    elif case == "other-device":
        cookie = two_factor_cookie(tina, f"otp_totp.totpdevice/{imported.rows['tina'] + 1000}")
    elif case == "setting-off":
        remember_on.OTP_LEGACY_SESSIONS = False
    client.cookies["remember-cookie_old"] = cookie
    response = login_flow.password("tina")
    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "token"
    assert SESSION_KEY not in client.session


# -- retiring and dropping the old tables --------------------------------------


def table_names() -> set[str]:
    return set(connection.introspection.table_names())


def test_retire_refuses_while_rows_are_left_behind(site):
    run_import()
    with pytest.raises(CommandError, match="two_factor_phonedevice"):
        call_command("otp_retire_django_otp", "--apply", stdout=io.StringIO())
    assert "two_factor_phonedevice" in table_names()


def test_retire_then_drop(imported):
    out = io.StringIO()
    call_command("otp_retire_django_otp", stdout=out)
    planned = "[dry run] would rename table otp_static_statictoken to otp_static_statictoken"
    planned += "_retired"
    assert planned in out.getvalue()
    assert set(TABLES) <= table_names()

    call_command("otp_retire_django_otp", "--apply", stdout=io.StringIO())
    names = table_names()
    assert not set(TABLES) & names
    assert {t + "_retired" for t in TABLES} <= names
    # Switching back fails loudly: django-otp's tables are gone.
    with (
        pytest.raises(Exception, match=r"(?i)otp_static_statictoken"),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT token FROM otp_static_statictoken")
    assert report_row(run_import("--strict"), "otp_totp_totpdevice")[-1] == "retired"
    # Imported devices keep working.
    assert StaticDevice.objects.filter(user=imported.users["tina"]).count() == 1

    stale = ContentType.objects.create(app_label="otp_totp", model="totpdevice")
    Permission.objects.create(content_type=stale, codename="view_totpdevice", name="x")
    kept = ContentType.objects.get_for_model(TOTPDevice)
    out = io.StringIO()
    call_command("otp_retire_django_otp", "--drop", "--apply", stdout=out)
    assert "delete content type otp_totp.totpdevice and its permissions" in out.getvalue()
    assert not {t + "_retired" for t in TABLES} & table_names()
    assert not ContentType.objects.filter(app_label="otp_totp").exists()
    assert not Permission.objects.filter(content_type_id=stale.pk).exists()
    assert ContentType.objects.filter(pk=kept.pk).exists()
    assert "No django-otp or django-two-factor-auth tables found." in run_import("--strict")

"""Issue 15: one new session key per privilege change, one listing, one device read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from otp_example.models import ExampleDevice

from otp_core import crypto
from otp_core.testing import loaded_at_startup

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_keys():
    """Keys of the session rows inserted: one INSERT per new session key."""
    inserted: list[str] = []

    def spy(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.lstrip().upper().startswith("INSERT") and "django_session" in sql:
            inserted.append(params[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        yield inserted


@pytest.fixture
def decryptions(monkeypatch):
    calls = []
    real = crypto.decrypt

    def spy(ciphertext: str) -> str:
        calls.append(1)
        return real(ciphertext)

    monkeypatch.setattr(crypto, "decrypt", spy)
    return calls


def _device_selects(ctx: CaptureQueriesContext) -> list[str]:
    table = ExampleDevice._meta.db_table
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]
    ]


def test_one_new_session_key_per_factor(client, example_device, login_flow, code_for, new_keys):
    login_flow.start()
    started = client.session.session_key
    new_keys.clear()
    assert login_flow.password().status_code == 200
    assert len(new_keys) == 1  # the password
    after_password = client.session.session_key
    assert after_password not in (None, started)
    new_keys.clear()
    assert login_flow.token(code_for(example_device)).status_code == 302
    assert len(new_keys) == 1  # the second factor: Django's login(), not again in otp_core
    assert client.session.session_key not in (started, after_password)
    # The keys left behind are dead.
    from django.contrib.sessions.backends.db import SessionStore

    assert not SessionStore().exists(started)
    assert not SessionStore().exists(after_password)


def test_one_new_session_key_without_a_second_step(client, user, login_flow, new_keys):
    login_flow.start()
    new_keys.clear()
    assert login_flow.password().status_code == 302
    assert len(new_keys) == 1


def test_password_step_lists_devices_once_and_decrypts_nothing(
    client, example_device, login_flow, decryptions
):
    login_flow.start()
    with CaptureQueriesContext(connection) as ctx:
        response = login_flow.password()
    assert response.status_code == 200
    assert 'name="token-otp_token"' in response.content.decode()
    assert len(_device_selects(ctx)) == 1  # default, backups, other methods, the form
    assert decryptions == []


def test_token_step_reads_the_device_once(client, example_device, login_flow, code_for):
    login_flow.password()
    code = code_for(example_device)
    with CaptureQueriesContext(connection) as ctx:
        response = login_flow.token(code)
    assert response.status_code == 302
    assert len(_device_selects(ctx)) == 1  # the row locked for verification


def test_a_blank_code_still_renders_the_token_step(client, example_device, login_flow):
    login_flow.password()
    response = login_flow.token("")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="token-otp_token"' in html
    assert 'aria-invalid="true"' in html  # "This field is required" on the code field


def test_a_device_deleted_before_the_code_starts_over(client, example_device, login_flow):
    login_flow.password()
    example_device.delete()
    response = login_flow.token("123456")
    assert response.status_code == 200
    assert 'name="auth-username"' in response.content.decode()


def _session_statements(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"].lstrip().split()[0].upper()
        for q in ctx.captured_queries
        if "django_session" in q["sql"]
    ]


def test_the_first_visit_to_the_login_page_writes_no_session(client):
    from django.conf import settings as django_settings
    from django.contrib.sessions.models import Session

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("two_factor:login"))
    assert response.status_code == 200
    assert 'name="auth-username"' in response.content.decode()
    assert _session_statements(ctx) == []
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


def test_a_next_url_on_the_login_page_is_still_kept(client, user):
    from django.contrib.sessions.models import Session

    client.get(reverse("two_factor:login") + "?next=/protected/mixin/")
    assert Session.objects.count() == 1
    # The password step follows it even when the form does not post it back.
    response = client.post(
        reverse("two_factor:login"),
        {
            "login_view-current_step": "auth",
            "auth-username": "alice",
            "auth-password": "correct horse",
        },
    )
    assert response["Location"] == "/protected/mixin/"


def test_the_login_page_still_restarts_a_wizard_left_half_way(client, example_device, login_flow):
    login_flow.password()
    assert client.session["wizard_login_view"]["step"] == "token"
    response = login_flow.start()
    assert 'name="auth-username"' in response.content.decode()
    assert client.session["wizard_login_view"]["step"] == "auth"


def test_a_session_planted_before_the_password_dies(client, example_device, login_flow, code_for):
    """An anonymous session the attacker fixed (other data, no wizard state) is replaced."""
    session = client.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    login_flow.start()
    assert client.session.session_key == planted
    login_flow.password()
    after_password = client.session.session_key
    assert after_password != planted
    assert login_flow.token(code_for(example_device)).status_code == 302
    from django.contrib.sessions.backends.db import SessionStore

    assert not SessionStore().exists(planted)
    assert not SessionStore().exists(after_password)
    assert client.session.session_key not in (planted, after_password)


def test_the_second_factor_writes_the_new_session_once(
    client, example_device, login_flow, code_for
):
    """Old row deleted, new row inserted at the end: no insert-then-update, no read-back."""
    login_flow.password()
    with CaptureQueriesContext(connection) as ctx:
        response = login_flow.token(code_for(example_device))
    assert response.status_code == 302
    statements = _session_statements(ctx)
    assert statements.count("INSERT") == 1
    assert statements.count("DELETE") == 1
    assert "UPDATE" not in statements
    assert client.get("/protected/decorator/").status_code == 200  # the new session counts


def test_one_device_needs_no_preference_read(client, example_device, login_flow):
    from two_factor_ui.models import PreferredDevice

    with CaptureQueriesContext(connection) as ctx:
        assert login_flow.password().status_code == 200
    table = PreferredDevice._meta.db_table
    assert [q for q in ctx.captured_queries if table in q["sql"]] == []


# -- worker memory: what a worker serving sign-ins does not import -------------

#: Loaded on first use (a check run, a mail, a send, a QR image, a django-otp
#: session id, the account pages), never by a worker's start-up with otp-core
#: and two-factor-ui.
NOT_AT_STARTUP = (
    "otp_core.checks",
    "otp_core.policy_checks",
    "otp_core.key_checks",
    "otp_core.rotation",
    "otp_core.admin_checks",
    "two_factor_ui.checks",
    "otp_totp.checks",
    "otp_core.notifications",
    "otp_core.budgets",
    "otp_core.setup_challenge",
    "otp_core.qr",
    "otp_core.legacy_tables",
    "otp_core.importing",
    "two_factor_ui.assurance",
    # The account pages' views and forms: imported on their first request.
    "two_factor_ui.views.setup",
    "two_factor_ui.views.profile",
    "two_factor_ui.views.step_up",
    "two_factor_ui.views.backup",
    "two_factor_ui.views.browsers",
    "two_factor_ui.views.devices",
    "two_factor_ui.views.qrcode",
    "two_factor_ui.forms.setup",
    "two_factor_ui.forms.profile",
    "two_factor_ui.forms.step_up",
    # The admin's OTP login form and the forms module behind it, the otpauth
    # URI builder, the challenge refusals.
    "otp_core.admin_forms",
    "otp_core.forms",
    "otp_core.uri",
    "otp_core.challenges",
    # Halves a sign-in does not run: policies from settings or the session,
    # the account page's browser list, a code against every device, code
    # hashes, django-two-factor-auth's tag filters and remember cookies.
    "otp_core.policy_data",
    "otp_core.browser_list",
    "otp_core.any_device",
    "otp_core.code_hashing",
    "two_factor_ui.device_text",
    "two_factor_ui.legacy_remember",
    # The abstract model of devices that send a code: only their plugins need it.
    "otp_core.models.challenge",
)

_SETTINGS = """
from importlib.util import find_spec

SECRET_KEY = "worker-memory-test-only-0123456789abcdefghijklmnopqrstuvwxyz"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "formtools",
    "otp_core",
    *(["otp_totp"] if find_spec("otp_totp") else []),
    "two_factor_ui",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "otp_core.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ROOT_URLCONF = "worker_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth"]},
    }
]
OTP_ENCRYPTION_KEYS = ["worker-memory-test-only-encryption-key-0123456789"]
"""

_URLS = """
from django.urls import include, path

urlpatterns = [path("", include("two_factor_ui.urls"))]
"""


def _worker(tmp_path: Any) -> dict[str, str]:
    """The environment of a worker of a sign-in site (otp-core and two-factor-ui)."""
    (tmp_path / "worker_settings.py").write_text(_SETTINGS)
    (tmp_path / "worker_urls.py").write_text(_URLS)
    return {"DJANGO_SETTINGS_MODULE": "worker_settings", "PYTHONPATH": str(tmp_path)}


def test_a_worker_starts_without_the_modules_it_does_not_need(tmp_path):
    """``django.setup()``, the URLconf and the WSGI handler of a sign-in site (issue 15)."""
    assert loaded_at_startup(NOT_AT_STARTUP, _worker(tmp_path)) == []


def test_the_views_package_imports_a_view_when_it_is_first_named(tmp_path):
    """``from two_factor_ui.views import SetupView`` still works; it loads that module then."""
    import os
    import subprocess
    import sys

    code = "\n".join(
        [
            "import sys, django",
            "django.setup()",
            "import two_factor_ui.views as views",
            "assert 'two_factor_ui.views.setup' not in sys.modules",
            "from two_factor_ui.views import SetupView",
            "assert SetupView.__module__ == 'two_factor_ui.views.setup'",
            "assert views.SetupView is SetupView and 'ProfileView' in dir(views)",
            "assert set(views.__all__) == set(views.MODULES)",
            "assert getattr(views, 'NoSuchView', None) is None",
            "from django.urls import resolve, reverse",
            "from otp_core.deferred import view_class",
            "match = resolve(reverse('two_factor:profile'))",
            "assert 'two_factor_ui.views.profile' not in sys.modules",
            "assert match.url_name == 'profile' and match.func.__qualname__ == 'ProfileView'",
            "assert match.func.__module__ == 'two_factor_ui.views.profile'",
            "assert view_class(match.func) is views.ProfileView",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **_worker(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]

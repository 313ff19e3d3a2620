"""Settings of the shared test project and demo site.

The database comes from the environment (``OTP_DB``: ``sqlite``, the default,
``postgres`` or ``mariadb``; ``OTP_DB_HOST``, ``OTP_DB_PORT``, ``OTP_DB_USER``,
``OTP_DB_PASSWORD``, ``OTP_DB_NAME``), as set by ``tools/dbserver.py``.
Plugins are found through otp-core's registry: installing a plugin
distribution is enough to have it here.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from otp_core.plugins import installed_apps

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "demo-only-insecure-secret-key-do-not-use-in-production-0123456789"
)
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

# Demo keys; a real site sets long random values from its secret store.
OTP_ENCRYPTION_KEYS = [
    os.environ.get("OTP_ENCRYPTION_KEY", "demo-only-otp-encryption-key-0123456789-abcdefghijklmnop")
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "otp_core",
    *installed_apps(),
    "test_project",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "otp_core.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# two-factor-ui, when installed, provides the demo's full sign-in and set-up pages.
TWO_FACTOR_UI = importlib.util.find_spec("two_factor_ui") is not None
if TWO_FACTOR_UI:
    INSTALLED_APPS += ["formtools", "two_factor_ui"]

ROOT_URLCONF = "test_project.urls"

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# otp-webauthn, when installed: passkey sign-in goes through its backend; the
# demo runs on http://localhost (the RP id while DEBUG is on).
if importlib.util.find_spec("otp_webauthn") is not None:
    AUTHENTICATION_BACKENDS.append("otp_webauthn.backends.PasskeyBackend")
    OTP_WEBAUTHN_RP_ID = os.environ.get("OTP_WEBAUTHN_RP_ID", "localhost")
    OTP_WEBAUTHN_RP_NAME = "otp-core demo"
    OTP_WEBAUTHN_ALLOWED_ORIGINS = os.environ.get(
        "OTP_WEBAUTHN_ALLOWED_ORIGINS", "http://localhost:8000"
    ).split()

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "test_project.views.demo_context",
            ]
        },
    }
]

WSGI_APPLICATION = "test_project.wsgi.application"


def _database() -> dict:
    kind = os.environ.get("OTP_DB", "sqlite")
    if kind == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("OTP_DB_NAME", str(BASE_DIR / "demo.sqlite3")),
            # Wait for the write lock rather than fail under load (seconds).
            "OPTIONS": {"timeout": 30},
            # A file, not memory, so that tests see real SQLite locking.
            "TEST": {
                "NAME": os.path.join(tempfile.gettempdir(), f"otp-test-{os.getpid()}.sqlite3")
            },
        }
    engines = {"postgres": "django.db.backends.postgresql", "mariadb": "django.db.backends.mysql"}
    if kind not in engines:
        raise ImproperlyConfigured(f"OTP_DB must be sqlite, postgres or mariadb, not {kind!r}.")
    db = {
        "ENGINE": engines[kind],
        "NAME": os.environ.get("OTP_DB_NAME", "otp"),
        "USER": os.environ.get("OTP_DB_USER", ""),
        "PASSWORD": os.environ.get("OTP_DB_PASSWORD", ""),
        "HOST": os.environ.get("OTP_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("OTP_DB_PORT", ""),
    }
    if kind == "mariadb":
        db["OPTIONS"] = {"charset": "utf8mb4"}
        db["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    return db


DATABASES = {"default": _database()}
if os.environ.get("OTP_DB") == "mariadb":
    try:  # PyMySQL stands in for mysqlclient, which needs a C toolchain and headers.
        import pymysql

        pymysql.install_as_MySQLdb()
    except ImportError:
        pass

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pt-br", "Português (Brasil)"),
]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "static-collected"

LOGIN_URL = "two_factor:login" if TWO_FACTOR_UI else "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = "no-reply@localhost"

# Phone codes in the demo go to the log (the "two_factor" logger), never to a phone.
TWO_FACTOR_SMS_GATEWAY = "fake"
TWO_FACTOR_CALL_GATEWAY = "fake"

# Policies by name (docs/assurance.rst), used by the demo's pages.
OTP_POLICIES = {
    "payments": {"factors": ["hwk"], "max_age": 300},
    "recent_password": {"factors": ["pwd"], "max_age": 300},
}

# What a site would turn on, for the demo (tools/demo.py sets OTP_DEMO=1); the
# tests keep every package's defaults.
if os.environ.get("OTP_DEMO") == "1":
    # Remember-this-browser: the code step offers it, for 30 days.
    TWO_FACTOR_REMEMBER_COOKIE_AGE = 30 * 24 * 60 * 60
    # The name authenticator apps show above the code.
    OTP_TOTP_ISSUER = OTP_HOTP_ISSUER = "2FA demo"
    if not TWO_FACTOR_UI:
        # Without two-factor-ui (and its step-up page) a signed-in user who
        # misses a page's policy is told what it needs, not sent to the
        # password form again.
        OTP_STEP_UP_URL = "needs"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "otp_core": {"handlers": ["console"], "level": "WARNING"},
        "two_factor": {"handlers": ["console"], "level": "INFO"},
    },
}

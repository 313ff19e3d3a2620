"""What every benchmark site shares: PostgreSQL, database sessions, MD5 hasher, contrib apps.

The database comes from the environment ``tools/dbserver.py`` gives
(``OTP_DB_HOST``...) and ``BENCH_DB_NAME``: one database per site.
"""

from __future__ import annotations

import os

SECRET_KEY = "bench-only-not-a-secret-0123456789abcdef"  # loopback benchmark only
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ.get("OTP_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("OTP_DB_PORT", "5432"),
        "USER": os.environ.get("OTP_DB_USER", "otp"),
        "PASSWORD": os.environ.get("OTP_DB_PASSWORD", "otp"),
        "NAME": os.environ.get("BENCH_DB_NAME", "otp"),
        "CONN_MAX_AGE": 600,  # persistent connections, as a production site keeps
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The same fast hasher for every site: the benchmark measures the code around it.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CONTRIB_APPS = [
    "django.contrib.admin",  # two-factor-ui's app start-up patches the admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]

CONTRIB_MIDDLEWARE = [
    "sites.counting.CountingMiddleware",  # first: sees every statement of the request
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

LOGIN_REDIRECT_URL = "/protected/"
LOGGING = {"version": 1, "disable_existing_loggers": False}

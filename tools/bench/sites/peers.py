"""The peers: django-otp 1.7.5 + django-two-factor-auth 1.18.1 (TOTP, and the static
plugin two-factor-auth's login wizard imports)."""

from .common import *  # noqa: F403
from .common import CONTRIB_APPS, CONTRIB_MIDDLEWARE

INSTALLED_APPS = [
    *CONTRIB_APPS,
    "formtools",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
]
MIDDLEWARE = [*CONTRIB_MIDDLEWARE, "django_otp.middleware.OTPMiddleware"]
ROOT_URLCONF = "sites.urls_peers"
LOGIN_URL = "two_factor:login"

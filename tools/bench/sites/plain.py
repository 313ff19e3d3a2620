"""Plain Django: ``django.contrib.auth.views.LoginView`` and ``login_required``."""

from .common import *  # noqa: F403
from .common import CONTRIB_APPS, CONTRIB_MIDDLEWARE

INSTALLED_APPS = [*CONTRIB_APPS, "sites"]  # sites/templates: the login page
MIDDLEWARE = list(CONTRIB_MIDDLEWARE)
ROOT_URLCONF = "sites.urls_plain"
LOGIN_URL = "/accounts/login/"

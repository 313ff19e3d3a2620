"""Our stack: otp-core + otp-totp + two-factor-ui."""

from .common import *  # noqa: F403
from .common import CONTRIB_APPS, CONTRIB_MIDDLEWARE

INSTALLED_APPS = [*CONTRIB_APPS, "formtools", "otp_core", "otp_totp", "two_factor_ui"]
MIDDLEWARE = [*CONTRIB_MIDDLEWARE, "otp_core.middleware.OTPMiddleware"]
ROOT_URLCONF = "sites.urls_ours"
LOGIN_URL = "two_factor:login"
OTP_ENCRYPTION_KEYS = ["bench-encryption-key-not-secret-0123456789"]

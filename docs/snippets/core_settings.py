# Two-factor authentication: otp-core and its plugins (otp-totp ...).
import otp_core.keys
import otp_core.plugins

INSTALLED_APPS += ["otp_core", *otp_core.plugins.installed_apps()]

# OTPMiddleware right after AuthenticationMiddleware: it needs request.user.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "otp_core.middleware.OTPMiddleware",
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Keys that encrypt the device secrets in the database. Make one with
# `python manage.py otp_generate_key` and keep it in your secret store;
# until OTP_ENCRYPTION_KEY is set, `manage.py check` says what to do.
OTP_ENCRYPTION_KEYS = otp_core.keys.from_environment("OTP_ENCRYPTION_KEY")

# The name authenticator apps show above the code: your site's name.
OTP_TOTP_ISSUER = "My site"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OTPEmailConfig(AppConfig):
    name = "otp_email"
    # Not django-otp's "otp_email": a site moving over keeps those tables apart.
    label = "otp_core_email"
    verbose_name = _("OTP e-mail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)

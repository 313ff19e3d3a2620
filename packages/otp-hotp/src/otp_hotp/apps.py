from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OTPHOTPConfig(AppConfig):
    name = "otp_hotp"
    label = "otp_core_hotp"
    verbose_name = _("HOTP devices")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OTPTOTPConfig(AppConfig):
    name = "otp_totp"
    label = "otp_core_totp"
    verbose_name = _("TOTP devices")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)

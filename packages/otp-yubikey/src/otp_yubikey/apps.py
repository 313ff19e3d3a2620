from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OTPYubikeyConfig(AppConfig):
    name = "otp_yubikey"
    label = "otp_core_yubikey"
    verbose_name = _("YubiKey devices")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)

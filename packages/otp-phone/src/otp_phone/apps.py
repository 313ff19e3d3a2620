from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OTPPhoneConfig(AppConfig):
    name = "otp_phone"
    label = "otp_core_phone"
    verbose_name = _("OTP phone")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .gateways.legacy import warn_legacy_settings

        warn_legacy_settings()  # once, at start-up

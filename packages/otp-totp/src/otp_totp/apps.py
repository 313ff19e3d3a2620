from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: The system checks and their tags, registered by path: the checks module
#: loads when the checks run, not in every worker.
CHECKS = (("otp_totp.checks.check_totp_settings", ()),)


class OTPTOTPConfig(AppConfig):
    name = "otp_totp"
    label = "otp_core_totp"
    verbose_name = _("TOTP devices")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from otp_core.deferred import register_checks

        register_checks(CHECKS)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OTPCoreConfig(AppConfig):
    name = "otp_core"
    verbose_name = _("One-time passwords")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (  # noqa: F401  (register the system checks)
            admin_checks,
            browsers,
            checks,
            key_checks,
            password_factor,
            policy_checks,
        )
        from .notifications import connect_receivers

        connect_receivers()
        password_factor.connect()
        browsers.connect()  # after the password: a sign-in's row includes it

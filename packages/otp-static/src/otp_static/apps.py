from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OTPStaticConfig(AppConfig):
    name = "otp_static"
    # Not "otp_static": that is django-otp's label, whose tables and
    # migration rows a site moving over still has.
    label = "otp_core_static"
    verbose_name = _("Backup codes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .signals import connect_receivers

        connect_receivers()

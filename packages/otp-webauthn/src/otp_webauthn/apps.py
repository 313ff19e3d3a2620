from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OTPWebAuthnConfig(AppConfig):
    name = "otp_webauthn"
    label = "otp_core_webauthn"
    verbose_name = _("Security keys and passkeys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorUIConfig(AppConfig):
    name = "two_factor_ui"
    label = "two_factor_ui"
    verbose_name = _("Two-factor authentication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .admin import patch_admin
        from .conf import ui_settings
        from .receivers import connect

        connect()

        # Signed-in users who miss a policy prove the missing factor on our page.
        from otp_core.access import set_default_step_up_url, set_sensitive_policy

        from .sudo import sensitive_policy

        set_default_step_up_url("two_factor:step_up")
        set_sensitive_policy(sensitive_policy)

        if ui_settings.TWO_FACTOR_PATCH_ADMIN:
            patch_admin()

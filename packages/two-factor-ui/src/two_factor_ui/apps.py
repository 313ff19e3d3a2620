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

        if ui_settings.TWO_FACTOR_PATCH_ADMIN:
            patch_admin()

from django.apps import AppConfig
from django.core.checks import Tags
from django.utils.translation import gettext_lazy as _

#: The system checks and their tags, registered by path (loaded when they run).
CHECKS = (
    ("two_factor_ui.checks.check_settings", ()),
    ("two_factor_ui.checks.check_enforcement", ()),
    ("two_factor_ui.checks.check_sensitive_max_age", ()),
)
#: ``manage.py check --deploy`` only.
DEPLOY_CHECKS = (("two_factor_ui.checks.check_remember_cookie_deploy", (Tags.security,)),)


class TwoFactorUIConfig(AppConfig):
    name = "two_factor_ui"
    label = "two_factor_ui"
    verbose_name = _("Two-factor authentication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from otp_core.deferred import register_checks

        from .admin import patch_admin
        from .conf import ui_settings
        from .receivers import connect

        register_checks(CHECKS)
        register_checks(DEPLOY_CHECKS, deploy=True)
        connect()

        # Signed-in users who miss a policy prove the missing factor on our page.
        from otp_core.access import set_default_step_up_url, set_sensitive_policy

        from .sudo import sensitive_policy

        set_default_step_up_url("two_factor:step_up")
        set_sensitive_policy(sensitive_policy)

        if ui_settings.TWO_FACTOR_PATCH_ADMIN:
            patch_admin()

from django.apps import AppConfig
from django.core.checks import Tags
from django.utils.translation import gettext_lazy as _

#: otp-core's system checks and their tags, registered by path: their modules
#: load when the checks run (``manage.py check``), not in every worker.
CHECKS = (
    ("otp_core.checks.check_middleware", (Tags.security,)),
    ("otp_core.checks.check_encryption_keys", (Tags.security,)),
    ("otp_core.checks.check_settings", ()),
    ("otp_core.checks.check_legacy_sessions", ()),
    ("otp_core.checks.check_send_budgets", (Tags.security,)),
    ("otp_core.checks.check_plugins", ()),
    ("otp_core.checks.check_notifications", ()),
    ("otp_core.policy_checks.check_named_policies", (Tags.security,)),
    ("otp_core.policy_checks.check_policy_urls", (Tags.security,)),
    ("otp_core.key_checks.check_secrets_readable", (Tags.database,)),
    ("otp_core.admin_checks.check_admin_site", (Tags.security, Tags.admin)),
)

#: otp-core's signals that mail the user, and the receiver in
#: :mod:`otp_core.notifications` (loaded by the first change it reports).
NOTIFICATIONS = (
    ("device_added", "on_device_added"),
    ("device_removed", "on_device_removed"),
    ("backup_codes_generated", "on_backup_codes_generated"),
    ("two_factor_disabled", "on_two_factor_disabled"),
    ("account_locked_out", "on_account_locked_out"),
)


class OTPCoreConfig(AppConfig):
    name = "otp_core"
    verbose_name = _("One-time passwords")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import browsers, password_factor, signals
        from .deferred import by_path, register_checks

        register_checks(CHECKS)
        for signal, receiver in NOTIFICATIONS:
            getattr(signals, signal).connect(
                by_path(f"otp_core.notifications.{receiver}"),
                weak=False,
                dispatch_uid=f"otp_core.notifications.{receiver}",
            )
        password_factor.connect()
        browsers.connect()  # after the password: a sign-in's row includes it

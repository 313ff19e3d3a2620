"""The registry entry of otp-static (loaded from settings: no model imports)."""

from django.utils.translation import gettext_lazy as _

from otp_core.plugins import Plugin

plugin = Plugin(
    name="static",
    app="otp_static",
    label=_("Backup codes"),
    description=_(
        "Single-use codes to print or store safely, for when your usual method is not at hand."
    ),
    # RFC 8176 has no value for look-up secrets (NIST SP 800-63B); this
    # documented non-RFC value keeps them apart from "otp".
    factor_kind="recovery",
    device_models=("otp_core_static.StaticDevice",),
    backup=True,
    setup_forms=("otp_static.forms.BackupCodesSetupForm",),
    setup_templates=("otp_static/setup_codes.html",),
    verify_form="otp_static.forms.BackupCodeVerificationForm",
    order=900,
    options={"django_otp_importer": "otp_static.importer.import_from_django_otp"},
)

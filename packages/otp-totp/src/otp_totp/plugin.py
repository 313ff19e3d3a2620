"""The plugin declaration read by otp-core's registry (loaded from settings)."""

from django.utils.translation import gettext_lazy as _

from otp_core.plugins import Plugin

plugin = Plugin(
    name="totp",
    app="otp_totp",
    label=_("Authenticator app"),
    description=_("Codes that change every 30 seconds, from an app on your phone."),
    factor_kind="otp",
    device_models=("otp_core_totp.TOTPDevice",),
    setup_forms=("otp_totp.forms.TOTPSetupForm",),
    setup_templates=("otp_totp/setup_step.html",),
    order=10,
    options={"django_otp_importer": "otp_totp.importer.import_from_django_otp"},
)

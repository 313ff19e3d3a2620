"""The plugin declaration read by otp-core's registry (loaded from settings)."""

from django.utils.translation import gettext_lazy as _

from otp_core.plugins import Plugin

plugin = Plugin(
    name="hotp",
    app="otp_hotp",
    label=_("Counter-based token"),
    description=_("Codes from a token or app that makes a new code at each press."),
    factor_kind="otp",
    device_models=("otp_core_hotp.HOTPDevice",),
    setup_forms=("otp_hotp.forms.HOTPSetupForm",),
    setup_templates=("otp_hotp/setup_step.html",),
    order=20,
    options={"django_otp_importer": "otp_hotp.importer.import_from_django_otp"},
)

"""The plugin declaration read by otp-core's registry (loaded from settings)."""

from django.utils.translation import gettext_lazy as _

from otp_core.plugins import Plugin

plugin = Plugin(
    name="yubikey",
    app="otp_yubikey",
    label=_("YubiKey"),
    description=_("A code your YubiKey types when you touch it."),
    factor_kind="otp",
    device_models=("otp_core_yubikey.YubikeyDevice", "otp_core_yubikey.RemoteYubikeyDevice"),
    setup_forms=("otp_yubikey.forms.YubikeySetupForm",),
    setup_templates=("otp_yubikey/setup_step.html",),
    verify_form="otp_yubikey.forms.YubikeyVerificationForm",
    order=40,
    options={"django_otp_importer": "otp_yubikey.importer.import_from_django_otp_yubikey"},
)

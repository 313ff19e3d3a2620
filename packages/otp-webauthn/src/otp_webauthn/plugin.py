"""The plugin declaration read by otp-core's registry (loaded from settings)."""

from django.utils.translation import gettext_lazy as _

from otp_core.plugins import Plugin

plugin = Plugin(
    name="webauthn",
    app="otp_webauthn",
    label=_("Security key or passkey"),
    description=_(
        "A security key you touch, or a passkey on your phone or computer, "
        "unlocked with your fingerprint, face or PIN."
    ),
    # Per device: "hwk" for a device-bound key, "swk" for a synced passkey
    # (WebAuthnDevice.factor_kind); the plugin's own value is the stronger one.
    factor_kind="hwk",
    device_models=("otp_core_webauthn.WebAuthnDevice",),
    # The challenge is JSON options for the browser's script, not a message.
    interactive=True,
    order=10,
    options={
        "factor_kinds": ("hwk", "swk"),
        # The JSON ceremonies (include("otp_webauthn.urls")), for a UI's script.
        "urls": "otp_webauthn.urls",
    },
)

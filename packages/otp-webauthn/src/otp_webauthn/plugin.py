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
    setup_forms=("otp_webauthn.forms.WebAuthnSetupForm",),
    setup_templates=("otp_webauthn/setup_step.html",),
    verify_form="otp_webauthn.forms.WebAuthnVerificationForm",
    verify_template="otp_webauthn/verify.html",
    static_js=("otp_webauthn/webauthn.js",),
    order=10,
    options={
        "factor_kinds": ("hwk", "swk"),
        # The JSON ceremonies (include("otp_webauthn.urls")), for a UI's script.
        "urls": "otp_webauthn.urls",
        # two-factor-ui's hooks: the key list's actions and facts, passkey sign-in.
        "device_actions": [
            (_("Rename"), "otp_webauthn:rename"),
            (_("Remove"), "otp_webauthn:remove"),
        ],
        "device_details": "otp_webauthn.ui.device_details",
        "login_page": "otp_webauthn.ui.login_page",
        # otp_import_django_otp: django-two-factor-auth's and django-otp-webauthn's keys.
        "django_otp_importer": "otp_webauthn.importer.import_from_django",
    },
)

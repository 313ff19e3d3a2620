from django.utils.translation import gettext_lazy as _

from otp_core.plugins import Plugin

plugin = Plugin(
    name="phone",
    app="otp_phone",
    label=_("Phone"),
    description=_("A one-time code is sent by text message or read out in a phone call."),
    # Per device "sms" or "tel" (PhoneDevice.factor_kind); the default method is sms.
    factor_kind="sms",
    device_models=("otp_core_phone.PhoneDevice",),
    interactive=True,
    setup_forms=("otp_phone.forms.PhoneNumberStep", "otp_phone.forms.PhoneConfirmStep"),
    order=50,
    options={
        # Backup phone management for UIs (include "otp_phone.urls"): links on the
        # account page, and POST actions on one device (reversed with its pk).
        "profile_links": [(_("Add a backup phone number"), "otp_phone:setup")],
        "device_actions": [(_("Remove"), "otp_phone:delete")],
        "urls": "otp_phone.urls",
        "factor_kinds": ("sms", "tel"),
        # otp_import_django_otp copies django-two-factor-auth's phone devices.
        "django_otp_importer": "otp_phone.importer.import_from_django_two_factor",
    },
)

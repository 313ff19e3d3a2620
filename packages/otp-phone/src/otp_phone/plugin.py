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
        # URL names for managing backup phones (include "otp_phone.urls").
        "backup_phone_urls": {"setup": "otp_phone:setup", "delete": "otp_phone:delete"},
        "urls": "otp_phone.urls",
        "factor_kinds": ("sms", "tel"),
    },
)

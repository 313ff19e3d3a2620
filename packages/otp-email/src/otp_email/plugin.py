from django.utils.translation import gettext_lazy as _

from otp_core.plugins import Plugin

plugin = Plugin(
    name="email",
    app="otp_email",
    label=_("E-mail"),
    description=_("A one-time code is sent to your e-mail address."),
    factor_kind="email",
    device_models=("otp_core_email.EmailDevice",),
    interactive=True,
    setup_forms=("otp_email.forms.EmailAddressStep", "otp_email.forms.EmailConfirmStep"),
    order=40,
    options={"django_otp_importer": "otp_email.importer.import_from_django_otp"},
)

"""The public names of django-otp 1.7 and django-two-factor-auth 1.18, and ours.

One table, kept here only: the rewriter (:mod:`otp_core.upgrade.rewrite`)
reads it, and the guide's name table (``docs/moving-over-names.inc``) is
written from it (:func:`otp_core.upgrade.docs.render_table`; a test keeps the
file in step). Each entry is one old name and what it became: the same name
in a new place (*1:1*), another name (*renamed*), or nothing (*missing*),
always with the reason when something is left out on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["KINDS", "NAMES", "Name", "by_kind", "lookup"]

DJANGO_OTP = "django-otp"
TWO_FACTOR = "django-two-factor-auth"

#: What kind of name an entry is, in the order the guide lists them.
KINDS = {
    "module": "Modules",
    "object": "Classes, functions and constants",
    "setting": "Settings",
    "setting_value": "Setting values",
    "url": "URL names",
    "template": "Templates",
    "library": "Template libraries",
    "command": "Management commands",
}

#: Kinds whose names are dotted Python paths.
PYTHON_KINDS = ("module", "object")


@dataclass(frozen=True)
class Name:
    """One public name of django-otp or django-two-factor-auth.

    ``new`` is None when we have no equivalent; ``note`` then says why, and
    otherwise what differs (or is empty).
    """

    package: str
    kind: str
    old: str
    new: str | None
    note: str = ""

    @property
    def status(self) -> str:
        """``"1:1"`` (same name, maybe a new module), ``"renamed"`` or ``"missing"``."""
        if self.new is None:
            return "missing"
        if self.kind in PYTHON_KINDS:
            same = self.old.rsplit(".", 1)[-1] == self.new.rsplit(".", 1)[-1]
        else:
            same = self.old == self.new
        return "1:1" if same else "renamed"


def _names(package: str, kind: str, pairs: Sequence[tuple[str | None, ...]]) -> list[Name]:
    return [Name(package, kind, *pair) for pair in pairs]  # type: ignore[arg-type]


_OTP = "django_otp"
_TF = "two_factor"

_DJANGO_OTP_MODULES = [
    (_OTP, "otp_core"),
    (f"{_OTP}.admin", "otp_core.admin"),
    (f"{_OTP}.conf", "otp_core.conf"),
    (f"{_OTP}.decorators", "otp_core.decorators"),
    (f"{_OTP}.forms", "otp_core.forms"),
    (f"{_OTP}.middleware", "otp_core.middleware"),
    (f"{_OTP}.models", "otp_core.models"),
    (f"{_OTP}.oath", "otp_core.oath"),
    (f"{_OTP}.qr", "otp_core.qr"),
    (f"{_OTP}.views", "otp_core.views"),
    (f"{_OTP}.tests", "otp_core.testing", "django-otp's test helpers."),
    (f"{_OTP}.util", None, "Split up: see its functions below."),
    (f"{_OTP}.plugins", None, "Each plugin is its own distribution (otp-totp, otp-hotp ...)."),
    (f"{_OTP}.plugins.otp_totp", "otp_totp"),
    (f"{_OTP}.plugins.otp_totp.admin", "otp_totp.admin"),
    (f"{_OTP}.plugins.otp_totp.models", "otp_totp.models"),
    (f"{_OTP}.plugins.otp_hotp", "otp_hotp"),
    (f"{_OTP}.plugins.otp_hotp.admin", "otp_hotp.admin"),
    (f"{_OTP}.plugins.otp_hotp.models", "otp_hotp.models"),
    (f"{_OTP}.plugins.otp_static", "otp_static"),
    (f"{_OTP}.plugins.otp_static.admin", "otp_static.admin"),
    (f"{_OTP}.plugins.otp_static.lib", "otp_static.lib"),
    (f"{_OTP}.plugins.otp_static.models", "otp_static.models"),
    (f"{_OTP}.plugins.otp_email", "otp_email"),
    (f"{_OTP}.plugins.otp_email.admin", "otp_email.admin"),
    (f"{_OTP}.plugins.otp_email.conf", "otp_email.conf"),
    (f"{_OTP}.plugins.otp_email.models", "otp_email.models"),
]

_DJANGO_OTP_OBJECTS = [
    (f"{_OTP}.DEVICE_ID_SESSION_KEY", "otp_core.session.DEVICE_ID_SESSION_KEY"),
    (f"{_OTP}.login", "otp_core.login"),
    (f"{_OTP}.verify_token", "otp_core.verify_token"),
    (f"{_OTP}.match_token", "otp_core.match_token"),
    (f"{_OTP}.devices_for_user", "otp_core.devices_for_user"),
    (f"{_OTP}.user_has_device", "otp_core.user_has_device"),
    (f"{_OTP}.device_classes", "otp_core.models.device_classes"),
    (f"{_OTP}.admin.OTPAdminAuthenticationForm", "otp_core.admin.OTPAdminAuthenticationForm"),
    (f"{_OTP}.admin.OTPAdminSite", "otp_core.admin.OTPAdminSite"),
    (
        f"{_OTP}.conf.settings",
        "otp_core.conf.otp_settings",
        "Each plugin has its own settings object too.",
    ),
    (f"{_OTP}.decorators.otp_required", "otp_core.decorators.otp_required"),
    (f"{_OTP}.forms.OTPAuthenticationFormMixin", "otp_core.forms.OTPAuthenticationFormMixin"),
    (
        f"{_OTP}.forms.OTPAuthenticationForm",
        "otp_core.forms.OTPAuthenticationForm",
        "With several devices and none chosen, asks for one (device_required), as django-otp 1.7.",
    ),
    (f"{_OTP}.forms.OTPTokenForm", "otp_core.forms.OTPTokenForm"),
    (f"{_OTP}.middleware.OTPMiddleware", "otp_core.middleware.OTPMiddleware"),
    (
        f"{_OTP}.middleware.is_verified",
        None,
        "Use request.user.is_verified(): the middleware's user object answers it.",
    ),
    (f"{_OTP}.models.Device", "otp_core.models.Device"),
    (f"{_OTP}.models.DeviceManager", "otp_core.models.DeviceManager"),
    (f"{_OTP}.models.ThrottlingMixin", "otp_core.models.ThrottlingMixin"),
    (f"{_OTP}.models.TimestampMixin", "otp_core.models.TimestampMixin"),
    (f"{_OTP}.models.SideChannelMixin", "otp_core.models.SideChannelMixin"),
    (
        f"{_OTP}.models.CooldownMixin",
        "otp_core.models.SideChannelMixin",
        "The cooldown is part of the side-channel mixin (get_cooldown()).",
    ),
    (f"{_OTP}.models.VerifyNotAllowed", "otp_core.models.VerifyNotAllowed"),
    (f"{_OTP}.models.GenerateNotAllowed", "otp_core.models.GenerateNotAllowed"),
    (f"{_OTP}.oath.hotp", "otp_core.oath.hotp"),
    (f"{_OTP}.oath.totp", "otp_core.oath.totp"),
    (
        f"{_OTP}.oath.TOTP",
        None,
        "A stateful helper object; the pure functions otp_core.oath.totp, time_step and "
        "verify_totp do the same without one.",
    ),
    (f"{_OTP}.qr.write_qrcode_image", "otp_core.qr.render_qr", "Returns the image; no stream."),
    (f"{_OTP}.views.LoginView", "otp_core.views.LoginView"),
    (f"{_OTP}.util.random_hex", "otp_core.models.oath.random_hex_key"),
    (f"{_OTP}.util.hex_validator", "otp_core.models.oath.hex_key_validator"),
    (
        f"{_OTP}.util.random_number_token",
        None,
        "Codes are made where they are stored: SideChannelMixin.generate_code() for sent codes, "
        "otp_static.codes.generate_code() for backup codes.",
    ),
    (f"{_OTP}.tests.TestCase", "otp_core.testing.OTPTestCase"),
    (f"{_OTP}.tests.OTPTestCaseMixin", "otp_core.testing.OTPTestCaseMixin"),
    (
        f"{_OTP}.tests.ThrottlingTestMixin",
        "otp_core.testing.ThrottlingTestMixin",
        "Tests our throttle: the first failure costs no delay.",
    ),
    (f"{_OTP}.tests.CooldownTestMixin", "otp_core.testing.CooldownTestMixin"),
    (f"{_OTP}.tests.TestThread", "otp_core.testing.TestThread"),
    (f"{_OTP}.plugins.otp_totp.models.TOTPDevice", "otp_totp.models.TOTPDevice"),
    (f"{_OTP}.plugins.otp_totp.admin.TOTPDeviceAdmin", "otp_totp.admin.TOTPDeviceAdmin"),
    (f"{_OTP}.plugins.otp_hotp.models.HOTPDevice", "otp_hotp.models.HOTPDevice"),
    (f"{_OTP}.plugins.otp_hotp.admin.HOTPDeviceAdmin", "otp_hotp.admin.HOTPDeviceAdmin"),
    (f"{_OTP}.plugins.otp_static.models.StaticDevice", "otp_static.models.StaticDevice"),
    (
        f"{_OTP}.plugins.otp_static.models.StaticToken",
        "otp_static.models.StaticToken",
        "Holds a keyed hash of the code, never the code.",
    ),
    (f"{_OTP}.plugins.otp_static.admin.StaticDeviceAdmin", "otp_static.admin.StaticDeviceAdmin"),
    (
        f"{_OTP}.plugins.otp_static.lib.add_static_token",
        "otp_static.lib.add_static_token",
        "Returns the code (a string), not a StaticToken row.",
    ),
    (f"{_OTP}.plugins.otp_email.models.EmailDevice", "otp_email.models.EmailDevice"),
    (f"{_OTP}.plugins.otp_email.admin.EmailDeviceAdmin", "otp_email.admin.EmailDeviceAdmin"),
    (f"{_OTP}.plugins.otp_email.conf.settings", "otp_email.conf.email_settings"),
]

_DJANGO_OTP_SETTINGS = [
    (name, name)
    for name in (
        "OTP_LOGIN_URL",
        "OTP_ADMIN_HIDE_SENSITIVE_DATA",
        "OTP_TOTP_SYNC",
        "OTP_TOTP_THROTTLE_FACTOR",
        "OTP_TOTP_ISSUER",
        "OTP_TOTP_IMAGE",
        "OTP_HOTP_THROTTLE_FACTOR",
        "OTP_HOTP_ISSUER",
        "OTP_HOTP_IMAGE",
        "OTP_STATIC_THROTTLE_FACTOR",
        "OTP_EMAIL_SENDER",
        "OTP_EMAIL_SUBJECT",
        "OTP_EMAIL_BODY_TEMPLATE",
        "OTP_EMAIL_BODY_TEMPLATE_PATH",
        "OTP_EMAIL_BODY_HTML_TEMPLATE",
        "OTP_EMAIL_BODY_HTML_TEMPLATE_PATH",
        "OTP_EMAIL_TOKEN_VALIDITY",
        "OTP_EMAIL_THROTTLE_FACTOR",
        "OTP_EMAIL_COOLDOWN_DURATION",
    )
]

_DJANGO_OTP_TEMPLATES = [
    ("otp/admin111/login.html", "otp_core/admin/login.html"),
    ("otp/email/token.txt", "otp_email/token.txt"),
]

_DJANGO_OTP_COMMANDS = [("addstatictoken", "addstatictoken", "otp_static_addcodes adds several.")]

_TF_MODULES = [
    (_TF, "two_factor_ui"),
    (f"{_TF}.admin", "two_factor_ui.admin"),
    (f"{_TF}.forms", "two_factor_ui.forms"),
    (f"{_TF}.signals", "two_factor_ui.signals"),
    (f"{_TF}.urls", "two_factor_ui.urls"),
    (f"{_TF}.views", "two_factor_ui.views"),
    (f"{_TF}.views.core", "two_factor_ui.views", "One module per flow; import from the package."),
    (f"{_TF}.views.mixins", "two_factor_ui.views.mixins"),
    (f"{_TF}.views.profile", "two_factor_ui.views.profile"),
    (f"{_TF}.views.utils", "two_factor_ui.views.wizard"),
    (f"{_TF}.templatetags.two_factor_tags", "two_factor_ui.templatetags.two_factor_tags"),
    (f"{_TF}.utils", None, "Split up: see its functions below."),
    (
        f"{_TF}.middleware.threadlocals",
        None,
        "No thread-local request: the request is passed to gateways and forms.",
    ),
    (f"{_TF}.plugins.registry", "otp_core.plugins", "Plugins register through entry points."),
    (f"{_TF}.plugins.phonenumber", "otp_phone"),
    (f"{_TF}.plugins.phonenumber.forms", "otp_phone.forms"),
    (f"{_TF}.plugins.phonenumber.models", "otp_phone.models"),
    (f"{_TF}.plugins.phonenumber.urls", "otp_phone.urls", "Its own namespace: otp_phone."),
    (f"{_TF}.plugins.phonenumber.views", "otp_phone.views"),
    (f"{_TF}.plugins.phonenumber.utils", "otp_phone.numbers"),
    (
        f"{_TF}.plugins.phonenumber.templatetags.phonenumber",
        "otp_phone.templatetags.phonenumber",
    ),
    (f"{_TF}.plugins.email", "otp_email"),
    (f"{_TF}.plugins.webauthn", "otp_webauthn"),
    (f"{_TF}.plugins.yubikey", "otp_yubikey"),
    (f"{_TF}.gateways", "otp_phone.gateways"),
    (f"{_TF}.gateways.fake", "otp_phone.gateways.fake"),
    (f"{_TF}.gateways.twilio", "otp_phone.gateways.twilio"),
    (f"{_TF}.gateways.twilio.gateway", "otp_phone.gateways.twilio"),
    (f"{_TF}.gateways.twilio.urls", "otp_phone.urls", "The TwiML URL is in otp_phone's URLs."),
    (f"{_TF}.gateways.twilio.views", "otp_phone.views"),
]

_TF_OBJECTS = [
    (f"{_TF}.views.LoginView", "two_factor_ui.views.LoginView"),
    (f"{_TF}.views.SetupView", "two_factor_ui.views.SetupView"),
    (f"{_TF}.views.SetupCompleteView", "two_factor_ui.views.SetupCompleteView"),
    (f"{_TF}.views.BackupTokensView", "two_factor_ui.views.BackupTokensView"),
    (f"{_TF}.views.ProfileView", "two_factor_ui.views.ProfileView"),
    (f"{_TF}.views.DisableView", "two_factor_ui.views.DisableView"),
    (f"{_TF}.views.QRGeneratorView", "two_factor_ui.views.QRGeneratorView"),
    (f"{_TF}.views.mixins.OTPRequiredMixin", "two_factor_ui.views.mixins.OTPRequiredMixin"),
    (
        f"{_TF}.views.utils.class_view_decorator",
        None,
        "Django's django.utils.decorators.method_decorator(..., name='dispatch') does it.",
    ),
    (
        f"{_TF}.views.utils.IdempotentSessionWizardView",
        "two_factor_ui.views.wizard.StepWizardView",
        "Never keeps a password or code in the session.",
    ),
    (f"{_TF}.admin.AdminSiteOTPRequired", "two_factor_ui.admin.AdminSiteOTPRequired"),
    (f"{_TF}.admin.AdminSiteOTPRequiredMixin", "two_factor_ui.admin.AdminSiteOTPRequiredMixin"),
    (f"{_TF}.admin.patch_admin", "two_factor_ui.admin.patch_admin"),
    (f"{_TF}.admin.unpatch_admin", "two_factor_ui.admin.unpatch_admin"),
    (f"{_TF}.signals.user_verified", "two_factor_ui.signals.user_verified"),
    (f"{_TF}.forms.MethodForm", "two_factor_ui.forms.MethodForm"),
    (f"{_TF}.forms.DisableForm", "two_factor_ui.forms.DisableForm"),
    (f"{_TF}.forms.DeviceValidationForm", "otp_core.setup.DeviceVerificationForm"),
    (f"{_TF}.forms.AuthenticationTokenForm", "otp_core.setup.DeviceVerificationForm"),
    (f"{_TF}.forms.BackupTokenForm", "otp_static.forms.BackupCodeVerificationForm"),
    (f"{_TF}.forms.TOTPDeviceForm", "otp_totp.forms.TOTPSetupForm"),
    (
        f"{_TF}.urls.urlpatterns",
        "two_factor_ui.urls",
        "include() the module: it names its namespace.",
    ),
    (f"{_TF}.utils.default_device", "two_factor_ui.methods.default_device"),
    (f"{_TF}.utils.get_otpauth_url", "otp_core.uri.build_uri"),
    (f"{_TF}.utils.totp_digits", "otp_totp.conf.default_digits"),
    (
        f"{_TF}.utils.monkeypatch_method",
        None,
        "An internal helper; nothing of ours patches classes at run time.",
    ),
    (
        f"{_TF}.middleware.threadlocals.ThreadLocals",
        None,
        "No thread-local request: the request is passed to gateways and forms.",
    ),
    (f"{_TF}.plugins.registry.registry", "otp_core.plugins.installed"),
    (f"{_TF}.plugins.registry.MethodBase", "otp_core.plugins.Plugin"),
    (
        f"{_TF}.plugins.registry.GeneratorMethod",
        None,
        "Each distribution declares its Plugin object (otp_totp.plugin.plugin ...).",
    ),
    (f"{_TF}.plugins.phonenumber.models.PhoneDevice", "otp_phone.models.PhoneDevice"),
    (f"{_TF}.plugins.phonenumber.views.PhoneSetupView", "otp_phone.views.PhoneSetupView"),
    (f"{_TF}.plugins.phonenumber.views.PhoneDeleteView", "otp_phone.views.PhoneDeleteView"),
    (f"{_TF}.plugins.phonenumber.forms.PhoneNumberForm", "otp_phone.forms.PhoneNumberStep"),
    (
        f"{_TF}.plugins.phonenumber.utils.get_available_phone_methods",
        "otp_phone.forms.available_methods",
    ),
    (
        f"{_TF}.plugins.phonenumber.utils.backup_phones",
        None,
        "A spare phone is a device like any other (Device.added_as_backup() tells it); "
        "list a user's devices with otp_core.devices_for_user().",
    ),
    (
        f"{_TF}.plugins.phonenumber.utils.format_phone_number",
        "otp_phone.numbers.format_international",
    ),
    (f"{_TF}.plugins.phonenumber.utils.mask_phone_number", "otp_phone.numbers.mask"),
    (
        f"{_TF}.plugins.phonenumber.templatetags.phonenumber.device_action",
        "otp_phone.templatetags.phonenumber.device_action",
    ),
    (
        f"{_TF}.plugins.phonenumber.templatetags.phonenumber.format_phone_number",
        "otp_phone.templatetags.phonenumber.format_phone_number",
    ),
    (
        f"{_TF}.plugins.phonenumber.templatetags.phonenumber.mask_phone_number",
        "otp_phone.templatetags.phonenumber.mask_phone_number",
    ),
    (f"{_TF}.plugins.webauthn.models.WebauthnDevice", "otp_webauthn.models.WebAuthnDevice"),
    (f"{_TF}.gateways.fake.Fake", "otp_phone.gateways.fake.Fake"),
    (f"{_TF}.gateways.twilio.gateway.Twilio", "otp_phone.gateways.twilio.Twilio"),
    (f"{_TF}.gateways.twilio.views.TwilioCallApp", "otp_phone.views.TwilioCallView"),
    (
        f"{_TF}.templatetags.two_factor_tags.as_action",
        "two_factor_ui.templatetags.two_factor_tags.as_action",
    ),
    (
        f"{_TF}.templatetags.two_factor_tags.as_verbose_action",
        "two_factor_ui.templatetags.two_factor_tags.as_verbose_action",
    ),
]

_SAME_TF_SETTINGS = (
    "TWO_FACTOR_PATCH_ADMIN",
    "TWO_FACTOR_SMS_GATEWAY",
    "TWO_FACTOR_CALL_GATEWAY",
    "TWO_FACTOR_QR_FACTORY",
    "TWO_FACTOR_TOTP_DIGITS",
    "TWO_FACTOR_LOGIN_TIMEOUT",
    "TWO_FACTOR_REMEMBER_COOKIE_AGE",
    "TWO_FACTOR_REMEMBER_COOKIE_PREFIX",
    "TWO_FACTOR_REMEMBER_COOKIE_DOMAIN",
    "TWO_FACTOR_REMEMBER_COOKIE_PATH",
    "TWO_FACTOR_REMEMBER_COOKIE_SECURE",
    "TWO_FACTOR_REMEMBER_COOKIE_HTTPONLY",
    "TWO_FACTOR_REMEMBER_COOKIE_SAMESITE",
    "TWO_FACTOR_PHONE_THROTTLE_FACTOR",
    "PHONENUMBER_DEFAULT_REGION",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_CALLER_ID",
    "TWILIO_MESSAGING_SERVICE_SID",
)

_WEBAUTHN_FALLBACK = "The old name is still read when the new one is not set."

_TF_SETTINGS = [(name, name) for name in _SAME_TF_SETTINGS] + [
    ("TWO_FACTOR_WEBAUTHN_RP_ID", "OTP_WEBAUTHN_RP_ID", _WEBAUTHN_FALLBACK),
    ("TWO_FACTOR_WEBAUTHN_RP_NAME", "OTP_WEBAUTHN_RP_NAME", _WEBAUTHN_FALLBACK),
    ("TWO_FACTOR_WEBAUTHN_UV_REQUIREMENT", "OTP_WEBAUTHN_USER_VERIFICATION", _WEBAUTHN_FALLBACK),
    ("TWO_FACTOR_WEBAUTHN_ATTESTATION_CONVEYANCE", "OTP_WEBAUTHN_ATTESTATION", _WEBAUTHN_FALLBACK),
    (
        "TWO_FACTOR_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT",
        "OTP_WEBAUTHN_PEM_ROOT_CERTS_BYTES_BY_FMT",
        _WEBAUTHN_FALLBACK,
    ),
    ("TWO_FACTOR_WEBAUTHN_THROTTLE_FACTOR", "OTP_WEBAUTHN_THROTTLE_FACTOR", _WEBAUTHN_FALLBACK),
    (
        "TWO_FACTOR_WEBAUTHN_AUTHENTICATOR_ATTACHMENT",
        None,
        "Any authenticator the browser offers may be registered (a phone, a key, a laptop); "
        "restrict kinds with OTP_WEBAUTHN_ALLOWED_AAGUIDS.",
    ),
    (
        "TWO_FACTOR_WEBAUTHN_PREFERRED_TRANSPORTS",
        None,
        "The transports an authenticator reports when registered are stored and sent back.",
    ),
    (
        "TWO_FACTOR_WEBAUTHN_ENTITIES_FORM_MIXIN",
        None,
        "The relying party comes from OTP_WEBAUTHN_RP_ID / OTP_WEBAUTHN_RP_NAME and the user "
        "entity from the user model; there is no form to customise.",
    ),
]

_TF_SETTING_VALUES = [
    (
        "two_factor.gateways.twilio.gateway.Twilio",
        "twilio",
        "Still loads, with a DeprecationWarning.",
    ),
    ("two_factor.gateways.fake.Fake", "fake", "Still loads, with a DeprecationWarning."),
]

_TF_URLS = [
    (f"{_TF}:{name}", f"{_TF}:{name}")
    for name in ("login", "setup", "qr", "setup_complete", "backup_tokens", "profile", "disable")
] + [
    (f"{_TF}:phone_create", "otp_phone:setup", "include('otp_phone.urls') as well."),
    (f"{_TF}:phone_delete", "otp_phone:delete", "include('otp_phone.urls') as well."),
    ("two_factor_twilio:call_app", "otp_phone:twilio_call", "include('otp_phone.urls') as well."),
]

_TF_TEMPLATES = [
    (f"{_TF}/{name}", f"{_TF}/{name}", note)
    for name, note in (
        ("_base.html", "Blocks: see Templates in the guide."),
        ("_base_focus.html", "Blocks: see Templates in the guide."),
        ("_wizard_actions.html", ""),
        ("_wizard_forms.html", ""),
        ("core/login.html", ""),
        ("core/setup.html", ""),
        ("core/setup_complete.html", ""),
        ("core/backup_tokens.html", ""),
        ("profile/profile.html", ""),
        ("profile/disable.html", ""),
    )
] + [
    (f"{_TF}/core/otp_required.html", "otp_core/otp_required.html"),
    (f"{_TF}/core/phone_register.html", "otp_phone/setup.html"),
    (
        f"{_TF}/twilio/sms_message.html",
        None,
        "The text message is a translated string of the gateway (otp_phone), not a template.",
    ),
    (
        f"{_TF}/twilio/token.xml",
        None,
        "The TwiML of a call is built in code, with the code spelt out digit by digit.",
    ),
]

_TF_LIBRARIES = [
    ("two_factor_tags", "two_factor_tags", "In two_factor_ui."),
    ("phonenumber", "phonenumber", "In otp_phone."),
]

_TF_COMMANDS = [
    ("two_factor_status", "two_factor_status"),
    ("two_factor_disable", "two_factor_disable"),
]

NAMES: tuple[Name, ...] = tuple(
    _names(DJANGO_OTP, "module", _DJANGO_OTP_MODULES)
    + _names(DJANGO_OTP, "object", _DJANGO_OTP_OBJECTS)
    + _names(DJANGO_OTP, "setting", _DJANGO_OTP_SETTINGS)
    + _names(DJANGO_OTP, "template", _DJANGO_OTP_TEMPLATES)
    + _names(DJANGO_OTP, "command", _DJANGO_OTP_COMMANDS)
    + _names(TWO_FACTOR, "module", _TF_MODULES)
    + _names(TWO_FACTOR, "object", _TF_OBJECTS)
    + _names(TWO_FACTOR, "setting", _TF_SETTINGS)
    + _names(TWO_FACTOR, "setting_value", _TF_SETTING_VALUES)
    + _names(TWO_FACTOR, "url", _TF_URLS)
    + _names(TWO_FACTOR, "template", _TF_TEMPLATES)
    + _names(TWO_FACTOR, "library", _TF_LIBRARIES)
    + _names(TWO_FACTOR, "command", _TF_COMMANDS)
)


def by_kind(*kinds: str) -> dict[str, Name]:
    """Old name -> entry, for the entries of ``kinds``."""
    return {n.old: n for n in NAMES if n.kind in kinds}


def lookup(old: str) -> Name | None:
    """The entry of ``old`` (any kind), or None."""
    for name in NAMES:
        if name.old == old:
            return name
    return None

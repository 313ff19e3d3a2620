"""YubiKey devices: checked here with their AES key, or by a YK-VAL 2.0 server.

The names are django-otp-yubikey's (``YubikeyDevice``, ``ValidationService``,
``RemoteYubikeyDevice`` and their fields) so that code and habits carry over;
the secrets (``key``, ``api_key``) are encrypted at rest by otp-core.
"""

from __future__ import annotations

import base64
import hmac
import logging
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from otp_core.models import Device, DjangoOTPImportMixin, EncryptedSecretField

from . import ykval
from .conf import yubikey_settings
from .validators import (
    aes_key_validator,
    api_key_validator,
    private_id_validator,
    public_id_validator,
    random_aes_key,
    random_private_id,
)
from .yubico_otp import InvalidOTP, decrypt, split

__all__ = ["RemoteYubikeyDevice", "ValidationService", "YubikeyDevice", "normalize_otp"]

logger = logging.getLogger("otp_core")

#: Yubico's hosted validation service (YubiCloud), used when ``base_url`` is empty.
YUBICLOUD_URL = "api.yubico.com/wsapi/2.0/verify"


def normalize_otp(token: Any) -> str:
    """The OTP as the protocol spells it: stripped, lower case ('' if not text)."""
    return token.strip().lower() if isinstance(token, str) else ""


class YubikeyDevice(DjangoOTPImportMixin, Device):
    """A YubiKey whose AES key this site holds: its OTPs are decrypted here.

    An OTP is accepted when its public id is this device's, it decrypts with
    the key to a valid CRC, its uid equals ``private_id`` and its (session,
    counter) pair is strictly above the stored one, which then moves up.
    """

    public_id = models.CharField(
        _("public id"),
        max_length=32,
        unique=True,
        validators=[public_id_validator],
        help_text=_("The modhex prefix the key types before each OTP, e.g. 12 characters."),
    )
    private_id = models.CharField(
        _("private id"),
        max_length=12,
        default=random_private_id,
        validators=[private_id_validator],
        help_text=_("The 6-byte private id (uid) as 12 hexadecimal characters."),
    )
    key = EncryptedSecretField(
        _("key"),
        default=random_aes_key,
        validators=[aes_key_validator],
        help_text=_("The AES-128 key as 32 hexadecimal characters (encrypted at rest)."),
    )
    session = models.IntegerField(
        _("session"),
        default=-1,
        validators=[MinValueValidator(-1), MaxValueValidator(0x7FFF)],
        help_text=_("The non-volatile usage counter of the last accepted OTP (-1: none yet)."),
    )
    counter = models.IntegerField(
        _("counter"),
        default=-1,
        validators=[MinValueValidator(-1), MaxValueValidator(0xFF)],
        help_text=_("The session use counter of the last accepted OTP (-1: none yet)."),
    )

    factor_kind = "otp"
    verification_fields: ClassVar[tuple[str, ...]] = ("session", "counter")

    class Meta:
        verbose_name = _("local YubiKey device")
        verbose_name_plural = _("local YubiKey devices")

    def get_throttle_factor(self) -> float:
        return yubikey_settings.OTP_YUBIKEY_THROTTLE_FACTOR

    def clean(self) -> None:
        # Django does not validate non-editable fields such as the encrypted key.
        super().clean()
        try:
            aes_key_validator(self.key or "")
        except ValidationError as exc:
            raise ValidationError({"key": exc.messages}) from None

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key)

    def _match(self, token: str) -> bool:
        token = normalize_otp(token)
        try:
            public_id, _encrypted = split(token)
            # The public id is checked before any decryption.
            if not hmac.compare_digest(public_id, self.public_id or ""):
                return False
            decoded = decrypt(token, self.bin_key)
            uid = bytes.fromhex(self.private_id)
        except (InvalidOTP, ValueError, TypeError):
            return False
        if not hmac.compare_digest(decoded.uid, uid):
            return False
        if (decoded.session, decoded.counter) <= (self.session, self.counter):
            return False  # a replay, or an OTP older than one already accepted
        self.session, self.counter = decoded.session, decoded.counter
        return True


def _url_list_validator(value: str) -> None:
    for url in value.split():
        if not url.startswith(("https://", "http://")) or len(url) > 2000:
            raise ValidationError(
                _("Each validation URL must be an absolute http(s) URL, one per line."),
                code="invalid",
            )


def _sl_validator(value: str) -> None:
    if value in ("", "fast", "secure") or (value.isdigit() and 0 <= int(value) <= 100):
        return
    raise ValidationError(
        _('The sync level must be empty, "fast", "secure" or a percentage from 0 to 100.'),
        code="invalid",
    )


class ValidationService(DjangoOTPImportMixin, models.Model):
    """A YK-VAL 2.0 validation service: Yubico's YubiCloud or your own servers."""

    API_VERSIONS = ("2.0",)

    name = models.CharField(
        _("name"),
        max_length=32,
        unique=True,
        help_text=_('The name of this service; set-up uses the one named "default".'),
    )
    api_id = models.IntegerField(_("API id"), default=1, help_text=_("Your API client id."))
    api_key = EncryptedSecretField(
        _("API key"),
        validators=[api_key_validator],
        help_text=_("Your base64 API key, which signs requests and answers (encrypted at rest)."),
    )
    base_url = models.TextField(
        _("validation URLs"),
        blank=True,
        default="",
        validators=[_url_list_validator],
        help_text=_(
            "One or more verify URLs, one per line, asked in parallel. Empty: Yubico's YubiCloud."
        ),
    )
    api_version = models.CharField(
        _("API version"),
        max_length=8,
        choices=[(v, v) for v in API_VERSIONS],
        default="2.0",
        help_text=_("The version of the validation protocol."),
    )
    use_ssl = models.BooleanField(
        _("use HTTPS"),
        default=True,
        help_text=_("Use HTTPS for YubiCloud (URLs you enter keep their own scheme)."),
    )
    param_sl = models.CharField(
        _("sync level"),
        max_length=16,
        blank=True,
        default="",
        validators=[_sl_validator],
        help_text=_('Share of servers that must agree: a percentage, "fast" or "secure".'),
    )
    param_timeout = models.PositiveSmallIntegerField(
        _("timeout"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Seconds one verification may take in all, the servers' syncing included."),
    )

    class Meta:
        verbose_name = _("YubiKey validation service")
        verbose_name_plural = _("YubiKey validation services")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<ValidationService {self.pk} {self.name!r}>"

    def clean(self) -> None:
        # Django does not validate non-editable fields such as the encrypted API key.
        super().clean()
        try:
            api_key_validator(self.api_key or "")
        except ValidationError as exc:
            raise ValidationError({"api_key": exc.messages}) from None

    def urls(self) -> list[str]:
        """The verify URLs to ask, in parallel."""
        urls = self.base_url.split()
        if not urls:
            urls = [f"{'https' if self.use_ssl else 'http'}://{YUBICLOUD_URL}"]
        return urls

    def client_config(self) -> ykval.ServiceConfig:
        """What the YK-VAL client needs, without the model."""
        return ykval.ServiceConfig(
            urls=tuple(self.urls()),
            api_id=self.api_id,
            api_key=base64.b64decode(self.api_key or ""),
            sl=self.param_sl or "",
            timeout=float(self.param_timeout or 5),
        )


class RemoteYubikeyDevice(DjangoOTPImportMixin, Device):
    """A YubiKey checked by a validation service; this site holds no key.

    The OTP's public id must be this device's before anything is sent; the
    service's signed answer decides, and it guards against replays.
    """

    service = models.ForeignKey(
        ValidationService,
        on_delete=models.PROTECT,
        verbose_name=_("validation service"),
        help_text=_("The service that checks this key's OTPs."),
    )
    public_id = models.CharField(
        _("public id"),
        max_length=32,
        validators=[public_id_validator],
        help_text=_("The modhex prefix the key types before each OTP."),
    )

    factor_kind = "otp"

    class Meta:
        verbose_name = _("remote YubiKey device")
        verbose_name_plural = _("remote YubiKey devices")

    def get_throttle_factor(self) -> float:
        return yubikey_settings.OTP_YUBIKEY_THROTTLE_FACTOR

    def _match(self, token: str) -> bool:
        """Ask the service; a refusal's reason and status go to ``refusal_details``.

        otp-core passes ``refusal_details`` on as the ``details`` of the
        ``verification_failed`` signal. It never holds the OTP.
        """
        token = normalize_otp(token)
        self.last_answer: ykval.Answer | None = None
        try:
            public_id, _encrypted = split(token)
        except InvalidOTP:
            self.refusal_details = {"yubikey_reason": "malformed_otp", "yubikey_status": None}
            return False
        if not public_id or not hmac.compare_digest(public_id, self.public_id or ""):
            # Another key's OTP: nothing is sent anywhere.
            self.refusal_details = {"yubikey_reason": "other_key", "yubikey_status": None}
            return False
        answer = ykval.verify(self.service.client_config(), token)
        self.last_answer = answer
        if not answer.accepted:
            self.refusal_details = {
                "yubikey_reason": answer.reason,
                "yubikey_status": answer.status,
            }
            logger.info(
                "YubiKey validation refused for device %s: %s", self.persistent_id, answer.reason
            )
        return answer.accepted

"""The phone device: a code sent by text message or read out in a call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from otp_core.models import Challenge, Device, DjangoOTPImportMixin, SideChannelMixin

from .conf import phone_settings
from .fields import PhoneNumberField
from .numbers import format_international, mask, validate_e164

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["PhoneDevice"]


class PhoneDevice(SideChannelMixin, DjangoOTPImportMixin, Device):
    """A phone number that receives codes by ``sms`` or ``call``.

    The code is random, stored only as a keyed hash and valid for
    ``OTP_PHONE_TOKEN_VALIDITY`` seconds (django-two-factor-auth derived it
    from a TOTP seed instead; a random single-use code cannot be replayed or
    predicted from a leaked seed).
    """

    SMS = "sms"
    CALL = "call"
    METHODS = ((SMS, _("Text message")), (CALL, _("Phone call")))

    #: A :class:`otp_phone.fields.PhoneNumber` (``.as_e164`` ...), stored as E.164 text.
    number = PhoneNumberField(
        _("number"),
        max_length=20,
        validators=[validate_e164],
        help_text=_("In international (E.164) form, e.g. +31612345678."),
    )
    method = models.CharField(_("method"), max_length=4, choices=METHODS, default=SMS)
    call_nonce_hash = models.CharField(
        _("pending call URL (hashed)"),
        max_length=128,
        blank=True,
        default="",
        editable=False,
        help_text=_("Makes the URL of a voice call's spoken code usable once."),
    )

    challenge_fields = (*SideChannelMixin.challenge_fields, "call_nonce_hash")

    class Meta:
        verbose_name = _("phone device")
        verbose_name_plural = _("phone devices")

    @property  # type: ignore[override]
    def factor_kind(self) -> str:
        """RFC 8176: ``sms`` for text messages, ``tel`` for voice calls."""
        return "tel" if self.method == self.CALL else "sms"

    def formatted_number(self) -> str:
        return format_international(self.number)

    def masked_number(self) -> str:
        return mask(self.formatted_number())

    def kind_label(self) -> str:
        """``"Text message to +31 * *****78"`` or ``"Phone call to ..."``.

        Masked: never the whole number.
        """
        if self.method == self.CALL:
            return _("Phone call to %(number)s") % {"number": self.masked_number()}
        return _("Text message to %(number)s") % {"number": self.masked_number()}

    def budget_destination(self) -> tuple[str, str]:
        """Texts and calls to one number share its send budget."""
        return self.method, f"tel:{self.number}"

    def get_token_validity(self) -> int:
        return int(phone_settings.OTP_PHONE_TOKEN_VALIDITY)

    def get_cooldown(self) -> int:
        return int(phone_settings.OTP_PHONE_COOLDOWN_DURATION)

    def get_throttle_factor(self) -> float:
        return phone_settings.TWO_FACTOR_PHONE_THROTTLE_FACTOR

    def _challenge(self, request: HttpRequest | None) -> Challenge:
        from .gateways import deliver

        code = self.generate_code(int(phone_settings.TWO_FACTOR_TOTP_DIGITS))
        deliver(self, code, request=request)
        if self.method == self.CALL:
            message = _("We are calling %(number)s.")
        else:
            message = _("We sent a text message to %(number)s.")
        return Challenge(message=message % {"number": self.masked_number()})

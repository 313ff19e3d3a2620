"""The e-mail device: a code is mailed on request and checked once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from otp_core.models import Challenge, Device, DjangoOTPImportMixin, SideChannelMixin

from .addresses import normalise_address
from .conf import email_settings
from .masking import mask_email

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["EmailDevice"]

#: Mailed codes have six digits, as django-otp's.
CODE_DIGITS = 6


class EmailDevice(SideChannelMixin, DjangoOTPImportMixin, Device):
    """Sends a one-time code to ``email``, or to the user's address when blank."""

    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        default="",
        help_text=_("Where codes are sent; blank means the user's own address."),
    )

    factor_kind = "email"

    class Meta:
        verbose_name = _("e-mail device")
        verbose_name_plural = _("e-mail devices")

    def recipient(self) -> str:
        """The address codes go to."""
        return self.email or (getattr(self.user, "email", "") or "")

    def masked_recipient(self) -> str:
        return mask_email(self.recipient())

    def kind_label(self) -> str:
        """ "E-mail to d***@example.com": the address masked, never in full."""
        return _("E-mail to %(address)s") % {"address": self.masked_recipient()}

    def budget_destination(self) -> tuple[str, str]:
        """The mailbox, normalised: case and a ``+tag`` do not make a new budget."""
        return "email", f"mailto:{normalise_address(self.recipient())}"

    def get_token_validity(self) -> int:
        return int(email_settings.OTP_EMAIL_TOKEN_VALIDITY)

    def get_cooldown(self) -> int:
        return int(email_settings.OTP_EMAIL_COOLDOWN_DURATION)

    def get_throttle_factor(self) -> float:
        return email_settings.OTP_EMAIL_THROTTLE_FACTOR

    def _challenge(self, request: HttpRequest | None) -> Challenge:
        from .delivery import send_code

        code = self.generate_code(CODE_DIGITS)
        send_code(self, code)
        return Challenge(
            message=_("We sent a code to %(address)s.") % {"address": self.masked_recipient()}
        )

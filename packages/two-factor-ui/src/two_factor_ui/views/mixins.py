"""Access rules of the account pages, built on otp-core's mixin."""

from __future__ import annotations

from otp_core.mixins import OTPRequiredMixin as CoreOTPRequiredMixin

__all__ = ["OTPRequiredMixin", "VerifiedUserRequiredMixin"]


class OTPRequiredMixin(CoreOTPRequiredMixin):
    """otp-core's mixin with django-two-factor-auth's default login page.

    Unverified users go to ``two_factor:login``; users without a device see
    an explanation (set ``verification_url`` to send them to set-up instead).
    """

    login_url = "two_factor:login"


class VerifiedUserRequiredMixin(OTPRequiredMixin):
    """For pages that manage devices: verified, or sent to set-up when deviceless."""

    verification_url = "two_factor:setup"

"""The set-up step of an HOTP device (counter-based token or app)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from otp_core.setup_oath import OATHSetupForm

__all__ = ["HOTPSetupForm"]


class HOTPSetupForm(OATHSetupForm):
    """Show a new key as a QR code; the first code from the app confirms it.

    The device is saved with its counter past that code, so the same code
    cannot then be used to sign in.
    """

    device_model = "otp_core_hotp.HOTPDevice"
    state_key = "otp_hotp"
    default_name = _("Counter-based token")
    template_name_fragment = "otp_hotp/setup_step.html"

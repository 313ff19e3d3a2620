"""The set-up step of a TOTP device (authenticator app)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from otp_core.setup_oath import OATHSetupForm

from .conf import default_digits

__all__ = ["TOTPSetupForm"]


class TOTPSetupForm(OATHSetupForm):
    """Show a new key as a QR code; the first code from the app confirms it.

    The device is saved with ``last_t`` at the step of that code, so the same
    code cannot then be used to sign in.
    """

    device_model = "otp_core_totp.TOTPDevice"
    state_key = "otp_totp"
    default_name = _("Authenticator app")
    template_name_fragment = "otp_totp/setup_step.html"

    def initial_params(self) -> dict[str, Any]:
        return {"digits": default_digits()}

"""The TOTP device: an authenticator app's time-based codes (RFC 6238)."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from otp_core import oath
from otp_core.models import Device, DjangoOTPImportMixin, OATHDeviceMixin
from otp_core.models.oath import DIGITS_CHOICES

from .conf import default_digits, totp_settings

__all__ = ["MAX_TOLERANCE", "TOTPDevice"]

#: Largest tolerance a form accepts: 5 steps either side (with 30 s steps, codes
#: from 2.5 minutes before or after), 11 codes valid at once. More widens the
#: window a guessed or overheard code works in for no gain in usability.
MAX_TOLERANCE = 5


class TOTPDevice(OATHDeviceMixin, DjangoOTPImportMixin, Device):
    """A TOTP generator; the fields are the arguments of :func:`otp_core.oath.totp`."""

    digits = models.PositiveSmallIntegerField(
        _("digits"),
        choices=DIGITS_CHOICES,
        default=default_digits,
        help_text=_("The number of digits to expect in a code (6 or 8)."),
    )
    step = models.PositiveSmallIntegerField(
        _("step"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("The time step in seconds."),
    )
    t0 = models.BigIntegerField(
        _("t0"), default=0, help_text=_("The Unix time at which to begin counting steps.")
    )
    tolerance = models.PositiveSmallIntegerField(
        _("tolerance"),
        default=1,
        validators=[MaxValueValidator(MAX_TOLERANCE)],
        help_text=_("The number of time steps in the past or future to allow."),
    )
    drift = models.SmallIntegerField(
        _("drift"),
        default=0,
        help_text=_("The number of time steps the prover is known to deviate from our clock."),
    )
    last_t = models.BigIntegerField(
        _("last t"),
        default=-1,
        help_text=_("The time step of the last verified code; only later ones are accepted."),
    )

    oath_kind = "totp"
    issuer_setting = "OTP_TOTP_ISSUER"
    image_setting = "OTP_TOTP_IMAGE"
    verification_fields: ClassVar[tuple[str, ...]] = ("last_t", "drift")

    class Meta:
        verbose_name = _("TOTP device")
        verbose_name_plural = _("TOTP devices")

    def get_throttle_factor(self) -> float:
        return totp_settings.OTP_TOTP_THROTTLE_FACTOR

    def uri_params(self) -> dict[str, Any]:
        return {"period": self.step}

    def _match(self, token: str) -> bool:
        if not self._check_oath_params() or self.step <= 0:
            return False
        now = time.time()
        matched = oath.verify_totp(
            self.bin_key,
            "".join(token.split()),
            now,
            step=self.step,
            t0=self.t0,
            digits=self.digits,
            algorithm=self.algorithm,
            tolerance=self.tolerance,
            drift=self.drift,
            after=self.last_t,
        )
        if matched is None:
            return False
        current = oath.time_step(now, self.step, self.t0)
        if totp_settings.OTP_TOTP_SYNC and matched != current + self.drift:
            self.drift = matched - current
        self.last_t = matched
        return True

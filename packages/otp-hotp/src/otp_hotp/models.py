"""The HOTP device: codes from a counter shared with a token (RFC 4226)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MaxValueValidator
from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from otp_core import oath
from otp_core.models import Device, DjangoOTPImportMixin, OATHDeviceMixin
from otp_core.verification import locked

from .conf import hotp_settings

__all__ = ["MAX_TOLERANCE", "RESYNC_SEARCH", "HOTPDevice"]

#: Largest tolerance a form accepts: 10 codes ahead of the counter (11 valid at
#: once). A token pressed more often than that is brought back with resync().
MAX_TOLERANCE = 10

#: How far ahead :meth:`HOTPDevice.resync` looks for two consecutive codes.
RESYNC_SEARCH = 100


class HOTPDevice(OATHDeviceMixin, DjangoOTPImportMixin, Device):
    """An HOTP generator; ``counter`` is the next counter value we expect."""

    tolerance = models.PositiveSmallIntegerField(
        _("tolerance"),
        default=5,
        validators=[MaxValueValidator(MAX_TOLERANCE)],
        help_text=_("How many codes ahead of the counter to look for a match."),
    )
    counter = models.BigIntegerField(
        _("counter"), default=0, help_text=_("The next counter value to expect.")
    )

    oath_kind = "hotp"
    issuer_setting = "OTP_HOTP_ISSUER"
    image_setting = "OTP_HOTP_IMAGE"
    verification_fields: ClassVar[tuple[str, ...]] = ("counter",)

    class Meta:
        verbose_name = _("HOTP device")
        verbose_name_plural = _("HOTP devices")

    def get_throttle_factor(self) -> float:
        return hotp_settings.OTP_HOTP_THROTTLE_FACTOR

    def uri_params(self) -> dict[str, Any]:
        return {"counter": self.counter}

    def _find(self, token: str, start: int, window: int) -> int | None:
        return oath.verify_hotp(
            self.bin_key,
            "".join(token.split()),
            start,
            window=window,
            digits=self.digits,
            algorithm=self.algorithm,
        )

    def _match(self, token: str) -> bool:
        if not self._check_oath_params():
            return False
        matched = self._find(token, self.counter, self.tolerance)
        if matched is None:
            return False
        self.counter = matched + 1
        return True

    def resync(self, code1: str, code2: str, *, search: int = RESYNC_SEARCH) -> bool:
        """Find two consecutive codes within ``search`` counters and move past them.

        For a token pressed many times without use. Runs with the row locked,
        counts a failure when the codes are not found, and respects the
        throttle like any verification.
        """
        model = type(self)
        alias = router.db_for_write(model, instance=self)
        with transaction.atomic(using=alias):
            current = locked(self)
            allowed, _details = current.verify_is_allowed()
            found = None
            if allowed and current._check_oath_params() and isinstance(code1, str):
                start, end = current.counter, current.counter + max(0, search)
                while start <= end:
                    first = current._find(code1, start, end - start)
                    if first is None:
                        break
                    if isinstance(code2, str) and current._find(code2, first + 1, 0) is not None:
                        found = first
                        break
                    start = first + 1
            if found is not None:
                current.counter = found + 2
                current.throttle_reset(commit=False)
                fields = ["counter", *current.throttling_fields]
            elif allowed:
                current.throttle_increment(commit=False)
                fields = list(current.throttling_fields)
            else:
                fields = []
            if fields:
                current.save(update_fields=fields)
        for name in ("counter", *current.throttling_fields):
            setattr(self, name, getattr(current, name))
        return found is not None

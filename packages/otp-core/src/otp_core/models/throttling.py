"""Throttling of failed verifications: doubling delay, then a hard lock.

The first failure costs nothing: a single mistyped code (or a password
manager's paste of the previous code) must not make the next, immediate try
fail. From the second consecutive failure on, a device refuses tokens for
``factor * 2 ** (n - 1)`` seconds after the ``n``-th failure (the
django-otp sequence from there: 2, 4, 8 ... seconds times the factor). After
``OTP_LOCKOUT_FAILURES`` consecutive failures it refuses every token until an
administrator resets it. The state is in the device row, so it holds across
processes and servers; the verification path changes it with the row locked.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..conf import otp_settings

__all__ = ["FREE_FAILURES", "ThrottlingMixin", "VerifyNotAllowed", "doubling_delay_end"]

# 2 ** 32 seconds is over a century: enough, and far from timedelta's limit.
_MAX_EXPONENT = 32
# The same bound on the delay itself, whatever the factor (a large factor
# would otherwise overflow timedelta or the date range: a 500, not a refusal).
_MAX_DELAY = float(2**_MAX_EXPONENT)


class VerifyNotAllowed(str, enum.Enum):
    """Why a device refuses to check a token right now."""

    N_FAILED_ATTEMPTS = "N_FAILED_ATTEMPTS"
    LOCKED_OUT = "LOCKED_OUT"
    #: The user's account reached ``OTP_ACCOUNT_LOCKOUT_FAILURES``: every
    #: device of the account refuses until it is unlocked.
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"


#: Consecutive failures that cost no delay: one, so a single wrong code never
#: blocks the next attempt (django-otp delays from the first failure).
FREE_FAILURES = 1


def doubling_delay_end(count: int, last_failure_at: Any, factor: float) -> Any:
    """When the delay after ``count`` consecutive failures ends, or None for no delay.

    No delay after the first failure; after the ``count``-th (2 or more),
    ``factor * 2 ** (count - 1)`` seconds after the last failure, bounded so a
    large count or factor cannot overflow (a refusal, never a 500).
    """
    if count <= FREE_FAILURES or not factor or last_failure_at is None:
        return None
    delay = min(factor * 2 ** min(count - 1, _MAX_EXPONENT), _MAX_DELAY)
    return last_failure_at + timedelta(seconds=delay)


class ThrottlingMixin(models.Model):
    throttling_failure_timestamp = models.DateTimeField(
        _("last failure at"),
        null=True,
        blank=True,
        default=None,
        help_text=_("When the last consecutive failure happened."),
    )
    throttling_failure_count = models.PositiveIntegerField(
        _("consecutive failures"), default=0, help_text=_("Failures since the last success.")
    )

    throttling_fields = ("throttling_failure_timestamp", "throttling_failure_count")

    class Meta:
        abstract = True

    def get_throttle_factor(self) -> float:
        """Delay unit in seconds (``factor * 2 ** (n - 1)`` after the ``n``-th failure, n >= 2).

        Plugins may read their own setting.
        """
        return otp_settings.OTP_THROTTLE_FACTOR

    def get_lockout_failures(self) -> int:
        return otp_settings.OTP_LOCKOUT_FAILURES

    @property
    def is_locked_out(self) -> bool:
        limit = self.get_lockout_failures()
        return bool(limit) and self.throttling_failure_count >= limit

    def throttled_until(self) -> Any:
        """The time before which tokens are refused, or None."""
        return doubling_delay_end(
            self.throttling_failure_count,
            self.throttling_failure_timestamp,
            self.get_throttle_factor(),
        )

    def verify_is_allowed(self) -> tuple[bool, dict[str, Any] | None]:
        """``(True, None)``, or ``(False, details)`` with a ``reason``."""
        if self.is_locked_out:
            return False, {
                "reason": VerifyNotAllowed.LOCKED_OUT,
                "failure_count": self.throttling_failure_count,
            }
        until = self.throttled_until()
        if until is not None and timezone.now() < until:
            return False, {
                "reason": VerifyNotAllowed.N_FAILED_ATTEMPTS,
                "failure_count": self.throttling_failure_count,
                "locked_until": until,
            }
        return True, None

    def throttle_reset(self, commit: bool = True) -> None:
        self.throttling_failure_timestamp = None
        self.throttling_failure_count = 0
        if commit:
            self.save(update_fields=list(self.throttling_fields))

    def throttle_increment(self, commit: bool = True) -> None:
        self.throttling_failure_timestamp = timezone.now()
        self.throttling_failure_count += 1
        if commit:
            self.save(update_fields=list(self.throttling_fields))

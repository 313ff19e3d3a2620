"""Consecutive failed second-factor attempts across all of a user's devices.

Device throttling (:mod:`.throttling`) is per device, so a user with N
devices would give an attacker N allowances. This row counts failures per
account (NIST SP 800-63B 5.2.2: at most 100 consecutive failures), and the
account lock it leads to holds for every device until a success before the
limit, an administrator or ``manage.py otp_unlock`` clears it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AccountThrottle"]


class AccountThrottle(models.Model):
    """The account-wide failure count and lock of one user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="otp_account_throttle",
    )
    failure_count = models.PositiveIntegerField(
        _("consecutive failures"),
        default=0,
        help_text=_("Failed second-factor attempts on any device since the last success."),
    )
    last_failure_at = models.DateTimeField(_("last failure at"), null=True, blank=True)
    locked_at = models.DateTimeField(
        _("locked at"),
        null=True,
        blank=True,
        help_text=_("When the account reached the failure limit; empty when not locked."),
    )

    class Meta:
        verbose_name = _("account failure count")
        verbose_name_plural = _("account failure counts")

    def __str__(self) -> str:
        return f"{self.user}: {self.failure_count}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

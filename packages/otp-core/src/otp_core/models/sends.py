"""The ledger of messages sent (text messages, calls, e-mails), for send budgets.

Every code a device sends is one row. Budgets count rows per user, per
destination and per client address over a window, so no restart of a set-up
wizard, new pending device or deleted device gives anyone a fresh allowance.
Destinations and addresses are stored only as keyed digests, never in clear.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["SendRecord"]


class SendRecord(models.Model):
    """One message sent to ``destination_digest`` for ``user``, from ``client_digest``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        # Deleting an account does not give its destinations a fresh budget.
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=16, help_text=_("sms, call or email."))
    destination_digest = models.CharField(
        _("destination (keyed digest)"), max_length=64, db_index=True
    )
    client_digest = models.CharField(
        _("client address (keyed digest)"), max_length=64, blank=True, default="", db_index=True
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("message sent")
        verbose_name_plural = _("messages sent")
        indexes = [
            models.Index(fields=["user", "sent_at"], name="otp_core_send_user_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} at {self.sent_at:%Y-%m-%d %H:%M:%S}"

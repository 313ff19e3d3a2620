"""Delete send-ledger rows no budget counts any more, and expired pending devices.

Run it daily (cron, a scheduled task): the ledger grows by one row per code
sent, and only rows inside the longest ``OTP_SEND_BUDGET_*`` window matter.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from ...budgets import longest_window
from ...conf import otp_settings
from ...models import SendRecord, SideChannelMixin, device_classes


class Command(BaseCommand):
    help = (
        "Delete records of sent codes older than the longest send-budget window, "
        "and unconfirmed code-sending devices older than OTP_PENDING_DEVICE_TTL "
        "(or without a creation time)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        # Never younger than a day: a budget switched off today may come back.
        keep = max(longest_window(), 24 * 60 * 60)
        sends, _ = SendRecord.objects.filter(sent_at__lt=now - timedelta(seconds=keep)).delete()
        expired = now - timedelta(seconds=int(otp_settings.OTP_PENDING_DEVICE_TTL))
        devices = 0
        for model in device_classes():
            if issubclass(model, SideChannelMixin):
                # No created_at (a row imported from django-otp) counts as expired.
                count, _ = model._default_manager.filter(
                    Q(created_at__lt=expired) | Q(created_at__isnull=True), confirmed=False
                ).delete()
                devices += count
        self.stdout.write(f"Deleted {sends} send records and {devices} expired pending devices.")

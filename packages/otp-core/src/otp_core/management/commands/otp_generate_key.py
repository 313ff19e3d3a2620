"""``manage.py otp_generate_key``: print a new key for ``OTP_ENCRYPTION_KEYS``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...keys import generate_key


class Command(BaseCommand):
    help = (
        "Print a new random key for OTP_ENCRYPTION_KEYS (e.g. "
        "export OTP_ENCRYPTION_KEY=$(python manage.py otp_generate_key)). "
        "Keep it in your secret store: whoever has it can read the device secrets."
    )
    # Runs while the keys are still missing or wrong: that is when it is needed.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(generate_key())

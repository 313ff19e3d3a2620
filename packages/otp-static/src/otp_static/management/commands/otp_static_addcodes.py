from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from otp_core.signals import backup_codes_generated

from ...codes import format_code
from .. import backup_device_of, user_named


class Command(BaseCommand):
    help = (
        "Generate backup codes for a user and print them once. They are stored only as "
        "hashes: hand them to the user, then discard this output."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "-c",
            "--count",
            type=int,
            default=None,
            help="How many codes (default: OTP_STATIC_TOKEN_COUNT).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the user's existing codes instead of adding to them.",
        )

    def handle(
        self, *args: Any, username: str, count: int | None, replace: bool, **opts: Any
    ) -> None:
        if count is not None and count < 1:
            raise CommandError("--count must be 1 or more.")
        with transaction.atomic():
            device = backup_device_of(user_named(username))
            codes = device.generate_tokens(count) if replace else device.add_tokens(count)
            backup_codes_generated.send(
                type(device), user=device.user, device=device, count=len(codes), request=None
            )
        for code in codes:
            self.stdout.write(format_code(code))

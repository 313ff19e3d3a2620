from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from otp_core.signals import backup_codes_generated

from .. import backup_device_of, user_named


class Command(BaseCommand):
    help = (
        "Add one backup code to a user's backup code set, creating the set if needed, "
        "and print it (django-otp's addstatictoken). Prefer otp_static_addcodes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "-t", "--token", default=None, help="The code to add (default: a random one)."
        )

    def handle(self, *args: Any, username: str, token: str | None, **options: Any) -> None:
        with transaction.atomic():
            device = backup_device_of(user_named(username))
            if token is None:
                code = device.add_tokens(1)[0]
            else:
                try:
                    device.add_token(token)
                except ValueError as exc:
                    raise CommandError(str(exc)) from None
                code = token
            backup_codes_generated.send(
                type(device), user=device.user, device=device, count=1, request=None
            )
        self.stdout.write(code)

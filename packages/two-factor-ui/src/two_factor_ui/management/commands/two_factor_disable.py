"""``manage.py two_factor_disable bouke steve`` removes all their devices."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from otp_core.removal import disable_two_factor

from ._accounts import find_users


class Command(BaseCommand):
    help = "Disable two-factor authentication for the given users (removes all devices)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("usernames", nargs="+", metavar="username")

    def handle(self, *args: Any, usernames: list[str], **options: Any) -> None:
        users = find_users(usernames)
        with transaction.atomic():
            for user in users:
                disable_two_factor(user)
        if options["verbosity"] > 1:
            for user in users:
                self.stdout.write(f"{user.get_username()}: disabled")

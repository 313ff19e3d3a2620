from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from ...auth import devices_for_user
from ._users import users_by_name


class Command(BaseCommand):
    help = "Delete every second-factor device of the given users."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args: Any, usernames: list[str], **options: Any) -> None:
        with transaction.atomic():
            for user in users_by_name(usernames):
                devices = devices_for_user(user, confirmed=None)
                for device in devices:
                    device.delete()
                self.stdout.write(f"{user.get_username()}: {len(devices)} device(s) removed")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from ...removal import disable_two_factor
from ._users import users_by_name


class Command(BaseCommand):
    help = "Delete every second-factor device of the given users."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args: Any, usernames: list[str], **options: Any) -> None:
        with transaction.atomic():
            for user in users_by_name(usernames):
                removed = disable_two_factor(user)
                self.stdout.write(f"{user.get_username()}: {removed} device(s) removed")

"""``manage.py two_factor_status bouke steve`` prints ``bouke: enabled`` ..."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...methods import default_device
from ._accounts import find_users


class Command(BaseCommand):
    help = "Show whether two-factor authentication is enabled for the given users."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("usernames", nargs="+", metavar="username")

    def handle(self, *args: Any, usernames: list[str], **options: Any) -> None:
        for user in find_users(usernames):
            state = "enabled" if default_device(user) is not None else "disabled"
            self.stdout.write(f"{user.get_username()}: {state}")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...auth import devices_for_user
from ._users import users_by_name


class Command(BaseCommand):
    help = "Show each user's second-factor devices and whether any is locked."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args: Any, usernames: list[str], **options: Any) -> None:
        for user in users_by_name(usernames):
            devices = devices_for_user(user, confirmed=None)
            confirmed = [d for d in devices if d.confirmed]
            state = "enabled" if confirmed else "disabled"
            self.stdout.write(f"{user.get_username()}: {state}")
            if options["verbosity"] > 1:
                for device in devices:
                    flags = []
                    if not device.confirmed:
                        flags.append("unconfirmed")
                    if device.is_locked_out:
                        flags.append("locked")
                    suffix = f" ({', '.join(flags)})" if flags else ""
                    self.stdout.write(f"  {device.persistent_id} {device.name}{suffix}")

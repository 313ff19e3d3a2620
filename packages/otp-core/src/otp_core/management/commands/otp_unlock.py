from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from ... import account_throttle
from ...auth import devices_for_user
from ...verification import lock_order
from ._users import users_by_name


class Command(BaseCommand):
    help = (
        "Reset the failure count (throttling and lock-out) of the given users' devices "
        "and clear their account-wide failure count and lock."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args: Any, usernames: list[str], **options: Any) -> None:
        with transaction.atomic():
            for user in users_by_name(usernames):
                # Device rows first, then the account row: the verification path's order.
                devices = sorted(devices_for_user(user, confirmed=None), key=lock_order)
                for device in devices:
                    device.throttle_reset()
                if account_throttle.unlock(user):
                    account = "account unlocked"
                else:
                    account = "account was not locked"
                self.stdout.write(
                    f"{user.get_username()}: {len(devices)} device(s) unlocked, {account}"
                )

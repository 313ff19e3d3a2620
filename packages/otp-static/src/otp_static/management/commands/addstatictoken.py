from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...lib import add_static_token


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
        try:
            code = add_static_token(username, token)
        except get_user_model().DoesNotExist:
            raise CommandError(f"Unknown user: {username}") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(code)

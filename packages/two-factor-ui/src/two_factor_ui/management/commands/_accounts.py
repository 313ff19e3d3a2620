"""User-name arguments of the two_factor_* commands."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def find_users(usernames: list[str]) -> list[Any]:
    """The users named, in the given order; any unknown name fails the command."""
    model = get_user_model()
    users = []
    for name in usernames:
        try:
            users.append(model._default_manager.get_by_natural_key(name))
        except model.DoesNotExist:
            raise CommandError(f'User "{name}" does not exist') from None
    return users

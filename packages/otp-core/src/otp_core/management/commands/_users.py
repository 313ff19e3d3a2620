"""Shared argument handling of the commands that take user names."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def users_by_name(usernames: list[str]) -> list[Any]:
    """The users with these user names, in order; unknown names fail the command."""
    model = get_user_model()
    field = model.USERNAME_FIELD
    found = {
        getattr(u, field): u for u in model._default_manager.filter(**{f"{field}__in": usernames})
    }
    missing = [name for name in usernames if name not in found]
    if missing:
        raise CommandError(f"Unknown user(s): {', '.join(missing)}")
    return [found[name] for name in usernames]

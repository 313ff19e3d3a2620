"""Management commands of otp-static and what they share."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def user_named(username: str) -> Any:
    """The user with this user name, or a CommandError."""
    model = get_user_model()
    try:
        return model._default_manager.get_by_natural_key(username)
    except model.DoesNotExist:
        raise CommandError(f"Unknown user: {username}") from None


def backup_device_of(user: Any) -> Any:
    """The user's (oldest confirmed) backup code set, created if there is none."""
    from ..forms import DEVICE_NAME
    from ..models import StaticDevice

    device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    return device

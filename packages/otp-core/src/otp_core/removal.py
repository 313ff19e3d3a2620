"""Removing second factors: the one place each removal is made and announced.

The UI's views, the management commands and a site's own code call these, so
the ``device_removed`` and ``two_factor_disabled`` signals (and the users'
notification mails) follow every removal exactly once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import router, transaction

from . import signals
from .auth import devices_for_user

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Device

__all__ = ["disable_two_factor", "remove_device"]


def remove_device(device: Device, request: HttpRequest | None = None) -> None:
    """Delete ``device``; a confirmed one is announced with ``device_removed``."""
    with transaction.atomic(using=router.db_for_write(type(device), instance=device)):
        confirmed = device.confirmed
        device.delete()
        if confirmed:
            signals.device_removed.send(type(device), device=device, request=request)


def disable_two_factor(user: Any, request: HttpRequest | None = None) -> int:
    """Delete every device of ``user`` (pending set-ups too); return how many.

    Each confirmed device is announced with ``device_removed`` (``disabling=True``),
    then ``two_factor_disabled`` once, if the user had a confirmed device.
    """
    with transaction.atomic(using=router.db_for_write(type(user), instance=user)):
        devices = devices_for_user(user, confirmed=None)
        removed = []
        for device in devices:
            device.delete()
            if device.confirmed:
                removed.append(device)
        for device in removed:
            signals.device_removed.send(
                type(device), device=device, request=request, disabling=True
            )
        if removed:
            signals.two_factor_disabled.send(type(user), user=user, request=request)
    return len(devices)

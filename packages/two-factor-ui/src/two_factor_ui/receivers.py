"""What two-factor-ui forgets when the account changes (connected in ``AppConfig.ready``).

A deleted device (however: the account page, the admin, a command) takes
its "asked first" choice with it, and turning two-factor off forgets the
choice. Remembered browsers are otp-core's signed-in browser rows: otp-core
forgets them on a deleted device, two-factor turned off and a password
change (:mod:`otp_core.browsers`).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete

from otp_core import signals

__all__ = ["connect"]


def device_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    # post_delete, not otp_core's device_removed: the pk is still set here.
    from otp_core.models import Device

    if not isinstance(instance, Device) or instance.pk is None:
        return
    from .models import PreferredDevice

    device = instance
    PreferredDevice.objects.filter(user_id=device.user_id, device_id=device.persistent_id).delete()


def two_factor_disabled(sender: Any, user: Any, **kwargs: Any) -> None:
    from .models import PreferredDevice

    PreferredDevice.objects.filter(user_id=user.pk).delete()


def connect() -> None:
    """Connect the receivers (idempotent: each has a ``dispatch_uid``)."""
    post_delete.connect(device_deleted, dispatch_uid="two_factor_ui.device_deleted")
    signals.two_factor_disabled.connect(
        two_factor_disabled, dispatch_uid="two_factor_ui.two_factor_disabled"
    )

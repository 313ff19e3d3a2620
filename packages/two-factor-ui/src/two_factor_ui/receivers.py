"""What two-factor-ui forgets when the account changes (connected in ``AppConfig.ready``).

A deleted device (however: the account page, the admin, a command) takes
the browsers it remembered and its "asked first" choice with it; turning
two-factor off or changing the password forgets every remembered browser
of the user.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from otp_core import signals

__all__ = ["connect"]


def device_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    # post_delete, not otp_core's device_removed: the pk is still set here.
    from otp_core.models import Device

    if not isinstance(instance, Device) or instance.pk is None:
        return
    from .models import PreferredDevice, RememberedBrowser

    device = instance
    persistent_id = device.persistent_id
    RememberedBrowser.objects.filter(user_id=device.user_id, device_id=persistent_id).delete()
    PreferredDevice.objects.filter(user_id=device.user_id, device_id=persistent_id).delete()


def two_factor_disabled(sender: Any, user: Any, **kwargs: Any) -> None:
    from .models import PreferredDevice, RememberedBrowser

    RememberedBrowser.objects.filter(user_id=user.pk).delete()
    PreferredDevice.objects.filter(user_id=user.pk).delete()


def password_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    # AbstractBaseUser.set_password() keeps the raw password in ``_password``
    # until save() has run: this save changes the password.
    if created or getattr(instance, "_password", None) is None:
        return
    from .models import RememberedBrowser

    RememberedBrowser.objects.filter(user_id=instance.pk).delete()


def connect() -> None:
    """Connect the receivers (idempotent: each has a ``dispatch_uid``)."""
    post_delete.connect(device_deleted, dispatch_uid="two_factor_ui.device_deleted")
    signals.two_factor_disabled.connect(
        two_factor_disabled, dispatch_uid="two_factor_ui.two_factor_disabled"
    )
    post_save.connect(
        password_saved, sender=get_user_model(), dispatch_uid="two_factor_ui.password_saved"
    )

"""django-otp's ``otp_static.lib``: add one backup code from code."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from otp_core.signals import backup_codes_generated

__all__ = ["add_static_token"]


def add_static_token(username: str, token: str | None = None) -> str:
    """Add a backup code to ``username``'s backup code set and return the code.

    The set is created when the user has none; ``token=None`` makes a random
    code. As in django-otp, an unknown user name raises the user model's
    ``DoesNotExist``; a code the set cannot hold raises ``ValueError``.
    django-otp returns the ``StaticToken`` row: codes are stored here only as
    keyed hashes, so the plain code is returned instead (show it once).
    """
    from .management import backup_device_of

    model = get_user_model()
    user = model._default_manager.get_by_natural_key(username)
    with transaction.atomic():
        device = backup_device_of(user)
        if token is None:
            code = device.add_tokens(1)[0]
        else:
            device.add_token(token)  # stored in its canonical spelling
            code = token
        backup_codes_generated.send(
            type(device), user=device.user, device=device, count=1, request=None
        )
    return code

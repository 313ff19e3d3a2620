"""Database check ``otp_core.E015``: every stored secret opens with a configured key.

Run by ``manage.py migrate`` and ``manage.py check --database default`` (Django
runs checks tagged ``database`` only then). A failure means a key was removed
from ``OTP_ENCRYPTION_KEYS`` before ``otp_rotate_keys`` moved every secret off
it; those devices refuse every token until the key is put back.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Error
from django.db import DatabaseError, router

from . import rotation

__all__ = ["check_secrets_readable"]


def check_secrets_readable(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[Any]:
    if not databases:
        return []
    errors = []
    for model, names in rotation.secret_models():
        alias = router.db_for_read(model)
        if alias not in databases:
            continue
        try:
            unreadable = rotation.unreadable_count(model, names, using=alias)
        except DatabaseError:
            continue  # no table yet (before migrate): nothing stored to read
        if unreadable:
            errors.append(
                Error(
                    f"{unreadable} row(s) of {model._meta.label} hold a secret that no key "
                    "of OTP_ENCRYPTION_KEYS decrypts: those devices refuse every token.",
                    hint="Put the removed key back in OTP_ENCRYPTION_KEYS (after the first), "
                    "run manage.py otp_rotate_keys, then remove it.",
                    obj=model,
                    id="otp_core.E015",
                )
            )
    return errors

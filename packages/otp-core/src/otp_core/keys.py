"""Encryption keys for ``OTP_ENCRYPTION_KEYS``: make a new one, read them from the environment.

Safe to import from ``settings.py``: nothing here touches Django's settings or
models. A settings file reads its keys with :func:`from_environment`; a missing
variable does not stop ``manage.py`` from starting (so ``manage.py
otp_generate_key`` still runs), but the system checks (``otp_core.E003``) and
any use of a key raise a clear error naming the variable and the command.
"""

from __future__ import annotations

import os
import secrets

__all__ = [
    "GENERATE_COMMAND",
    "KEY_BYTES",
    "MissingKeys",
    "from_environment",
    "generate_key",
    "missing_keys_message",
]

#: Random bytes in a new key (64 URL-safe characters).
KEY_BYTES = 48
#: The command that prints a new key, named in every error about keys.
GENERATE_COMMAND = "python manage.py otp_generate_key"


def generate_key() -> str:
    """A new random key in the format ``OTP_ENCRYPTION_KEYS`` expects (URL-safe text)."""
    return secrets.token_urlsafe(KEY_BYTES)


class MissingKeys(list):  # type: ignore[type-arg]
    """What :func:`from_environment` returns when the variable is unset or empty.

    An empty list that remembers the variable's name, so the check and the
    error raised at first use can say which variable to set.
    """

    def __init__(self, variable: str) -> None:
        super().__init__()
        self.variable = variable


def missing_keys_message(keys: object) -> str:
    """The developer-facing explanation of an unusable ``OTP_ENCRYPTION_KEYS``."""
    if isinstance(keys, MissingKeys):
        return (
            f"OTP_ENCRYPTION_KEYS is empty: the environment variable {keys.variable} "
            f"is not set. Make a key with `{GENERATE_COMMAND}` and set {keys.variable} to it."
        )
    return (
        "OTP_ENCRYPTION_KEYS must be a non-empty list of strings. "
        f"Make a key with `{GENERATE_COMMAND}`."
    )


def from_environment(variable: str = "OTP_ENCRYPTION_KEY") -> list[str]:
    """The keys in the environment variable ``variable``, for ``OTP_ENCRYPTION_KEYS``.

    Several keys (while rotating) are separated by commas, the encrypting key
    first. Unset or empty gives a :class:`MissingKeys`, which the system checks
    report, rather than a ``KeyError`` while the settings load.
    """
    value = os.environ.get(variable, "")
    keys = [key.strip() for key in value.split(",") if key.strip()]
    return keys if keys else MissingKeys(variable)

"""The password as a factor: a password sign-in is recorded as ``pwd``.

Django does not say how a user authenticated, only which backend did; the
backends in ``OTP_PASSWORD_BACKENDS`` check a password, so a login through
one of them records a ``pwd`` verification with its time. A policy can then
ask for a recent password (``{"factors": ["pwd"], "max_age": 600}``), and the
step-up page asks for the password alone.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in

from .conf import otp_settings
from .session import record_password

__all__ = ["connect", "is_password_backend"]


def is_password_backend(path: Any) -> bool:
    """Does the backend at dotted ``path`` authenticate with a password?"""
    return isinstance(path, str) and path in (otp_settings.OTP_PASSWORD_BACKENDS or ())


def _record(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None and is_password_backend(getattr(user, "backend", None)):
        record_password(session)


def connect() -> None:
    user_logged_in.connect(_record, dispatch_uid="otp_core.password_factor")

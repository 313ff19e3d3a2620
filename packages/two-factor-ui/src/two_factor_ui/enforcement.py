"""Who must set up a second factor: the ``TWO_FACTOR_REQUIRE`` policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from otp_core.auth import user_has_device

from .conf import ui_settings

__all__ = ["policy_function", "requires_setup"]


def _everyone(user: Any) -> bool:
    return True


def _staff(user: Any) -> bool:
    return bool(user.is_staff or user.is_superuser)


def policy_function() -> Callable[[Any], bool] | None:
    """The setting as a callable ``user -> bool``, or None when nothing is required."""
    value = ui_settings.TWO_FACTOR_REQUIRE
    if value is None or value is False:
        return None
    if value == "all":
        return _everyone
    if value == "staff":
        return _staff
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as exc:
            raise ImproperlyConfigured(f"TWO_FACTOR_REQUIRE cannot be imported: {exc}") from None
    if not callable(value):
        raise ImproperlyConfigured(
            'TWO_FACTOR_REQUIRE must be None, "all", "staff", a dotted path or a callable.'
        )
    return value


def requires_setup(user: Any) -> bool:
    """Must this signed-in user set up a second factor before going on?"""
    if user is None or not user.is_authenticated:
        return False
    policy = policy_function()
    if policy is None or not policy(user):
        return False
    return not user_has_device(user)

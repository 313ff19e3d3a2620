"""The decision behind ``otp_required`` and ``OTPRequiredMixin``.

Kept in one place so the decorator and the mixin cannot drift apart.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.conf import settings
from django.shortcuts import resolve_url

from .auth import user_has_device
from .conf import otp_settings
from .policy import ANY_FACTOR, Policy

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["Access", "check_access", "default_login_url"]


class Access(enum.Enum):
    GRANTED = "granted"
    #: Not logged in at all.
    ANONYMOUS = "anonymous"
    #: Logged in, has a device, but this session has not verified enough.
    UNVERIFIED = "unverified"
    #: Logged in without any confirmed device: nothing could verify.
    NO_DEVICE = "no_device"


def default_login_url() -> str:
    return resolve_url(otp_settings.OTP_LOGIN_URL or settings.LOGIN_URL)


def check_access(
    request: HttpRequest, policy: Policy | None = None, if_configured: bool = False
) -> Access:
    """May this request see a view that requires ``policy``?"""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Access.ANONYMOUS
    state = getattr(request, "otp", None)
    if state is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("otp_core.middleware.OTPMiddleware is not installed.")
    if state.satisfies(policy or ANY_FACTOR):
        return Access.GRANTED
    if not user_has_device(user):
        return Access.GRANTED if if_configured else Access.NO_DEVICE
    return Access.UNVERIFIED

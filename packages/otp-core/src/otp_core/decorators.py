"""``otp_required``: ``login_required`` for verified sessions, with step-up."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.contrib.auth.views import redirect_to_login

from .access import Access, check_access, default_login_url
from .policy import Policy

__all__ = ["otp_required"]


def otp_required(
    view: Callable[..., Any] | None = None,
    redirect_field_name: str = "next",
    login_url: str | None = None,
    if_configured: bool = False,
    policy: Policy | None = None,
) -> Any:
    """Require a session verified by a second factor (django-otp's semantics).

    Anonymous and unverified users are sent to ``login_url`` (default
    ``OTP_LOGIN_URL``). With ``if_configured`` a user without any confirmed
    device passes. With ``policy`` the session must satisfy it, e.g.
    ``Policy(factors={"hwk"}, max_age=300)`` for a recent security key.
    Works on sync and async (``async def``) views alike.
    """

    def refuse(request: Any) -> Any:
        return redirect_to_login(
            request.get_full_path(), login_url or default_login_url(), redirect_field_name
        )

    def decorator(view_func: Callable[..., Any]) -> Callable[..., Any]:
        if iscoroutinefunction(view_func):
            # An async view stays async; the check reads the database in a thread.
            @wraps(view_func)
            async def async_wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
                access = await sync_to_async(check_access)(request, policy, if_configured)
                if access is Access.GRANTED:
                    return await view_func(request, *args, **kwargs)
                return refuse(request)

            return async_wrapper

        @wraps(view_func)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if check_access(request, policy, if_configured) is Access.GRANTED:
                return view_func(request, *args, **kwargs)
            return refuse(request)

        return wrapper

    return decorator if view is None else decorator(view)

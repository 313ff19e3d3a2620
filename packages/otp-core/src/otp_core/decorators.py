"""``otp_required``: ``login_required`` for verified sessions, with step-up."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.contrib.auth.views import redirect_to_login

from .access import (
    Access,
    check_access,
    default_login_url,
    insufficient_authentication,
    note_requirement,
    step_up_url,
    wants_json,
)
from .policy import PolicyLike

__all__ = ["otp_required"]


def otp_required(
    view: Callable[..., Any] | None = None,
    redirect_field_name: str = "next",
    login_url: str | None = None,
    if_configured: bool = False,
    policy: PolicyLike = None,
) -> Any:
    """Require a session verified by a second factor (django-otp's semantics).

    Anonymous users are sent to ``login_url`` (default ``OTP_LOGIN_URL``),
    signed-in users who miss the policy to ``OTP_STEP_UP_URL`` when set
    (else ``login_url``), and a client asking for JSON gets a 401 (RFC 9470).
    With ``if_configured`` a user without any confirmed device passes. With
    ``policy`` (a :class:`~otp_core.policy.Policy` or a name in
    ``OTP_POLICIES``) the session must satisfy it, e.g.
    ``Policy(factors={"hwk"}, max_age=300)`` for a recent security key.
    Works on sync and async (``async def``) views alike.
    """

    def refuse(request: Any, access: Access) -> Any:
        if access is Access.ANONYMOUS:
            target = login_url or default_login_url()
        elif wants_json(request):
            return insufficient_authentication(request, policy)
        else:
            note_requirement(request, policy)
            target = step_up_url() or login_url or default_login_url()
        return redirect_to_login(request.get_full_path(), target, redirect_field_name)

    def decorator(view_func: Callable[..., Any]) -> Callable[..., Any]:
        if iscoroutinefunction(view_func):
            # An async view stays async; the check reads the database in a thread.
            @wraps(view_func)
            async def async_wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
                access = await sync_to_async(check_access)(request, policy, if_configured)
                if access is Access.GRANTED:
                    return await view_func(request, *args, **kwargs)
                return refuse(request, access)

            async_wrapper.otp_policy = policy  # type: ignore[attr-defined]
            return async_wrapper

        @wraps(view_func)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            access = check_access(request, policy, if_configured)
            if access is Access.GRANTED:
                return view_func(request, *args, **kwargs)
            return refuse(request, access)

        # Read by the start-up check of policy names (otp_core.E031).
        wrapper.otp_policy = policy  # type: ignore[attr-defined]
        return wrapper

    return decorator if view is None else decorator(view)

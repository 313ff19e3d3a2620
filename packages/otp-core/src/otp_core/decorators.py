"""``otp_required``: ``login_required`` for verified sessions, with step-up."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

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
    """

    def decorator(view_func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view_func)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if check_access(request, policy, if_configured) is Access.GRANTED:
                return view_func(request, *args, **kwargs)
            return redirect_to_login(
                request.get_full_path(), login_url or default_login_url(), redirect_field_name
            )

        return wrapper

    return decorator if view is None else decorator(view)

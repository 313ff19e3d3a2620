"""Sudo mode: the account's sensitive actions need a recent second factor.

Disabling two-factor, removing a method, making new backup codes and adding
a method (to an account that has one) change what protects the account, so
a session that verified long ago (a browser left signed in) proves a second
factor again first, on the step-up page, within
``TWO_FACTOR_SENSITIVE_MAX_AGE`` seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from otp_core.access import insufficient_authentication, note_requirement, step_up_url, wants_json
from otp_core.policy import Policy

from .conf import ui_settings

__all__ = ["sensitive", "sensitive_policy"]


def sensitive_policy() -> Policy | None:
    """Any second factor within ``TWO_FACTOR_SENSITIVE_MAX_AGE`` (None: sudo mode off)."""
    max_age = ui_settings.TWO_FACTOR_SENSITIVE_MAX_AGE
    return None if max_age is None else Policy(max_age=max_age)


def sensitive(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``view`` so that a verified but stale session steps up first.

    Sessions that are not verified at all are left to the view's own access
    rule (sign in, or set up a first method).
    """

    @wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        policy = sensitive_policy()
        state = getattr(request, "otp", None)
        if (
            policy is not None
            and state is not None
            and request.user.is_authenticated
            and state.is_verified()
            and not state.satisfies(policy)
        ):
            if wants_json(request):
                return insufficient_authentication(request, policy)
            note_requirement(request, policy)
            target = step_up_url() or reverse("two_factor:step_up")
            return redirect_to_login(request.get_full_path(), target)
        return view(request, *args, **kwargs)

    return wrapper

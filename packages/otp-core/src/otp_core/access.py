"""The decision behind ``otp_required``, ``OTPRequiredMixin`` and URL policies.

Kept in one place so the decorator, the mixin and the middleware cannot
drift apart: who may pass (:func:`check_access`), where a user who may not
goes (:func:`step_up_url`), and what a JSON client gets instead of a
redirect (:func:`insufficient_authentication`, RFC 9470).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch

from .auth import user_has_device
from .conf import otp_settings
from .policy import BasePolicy, PolicyLike, resolve_policy

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "Access",
    "check_access",
    "default_login_url",
    "insufficient_authentication",
    "note_requirement",
    "requirement_for",
    "sensitive_policy",
    "set_default_step_up_url",
    "set_sensitive_policy",
    "step_up_url",
    "still_signed_in",
    "wants_json",
]

#: The session key where a refused view leaves what it asked for, for the step-up page.
REQUIREMENT_SESSION_KEY = "otp_step_up"

# The step-up page of an installed UI package (two-factor-ui sets it when ready).
_default_step_up_url: str | None = None
# What a sensitive action (adding or removing a factor) asks of a session, as
# the installed UI package decides (two-factor-ui's sudo mode); None: nothing more.
_sensitive_policy: Callable[[], BasePolicy | None] | None = None


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


def set_default_step_up_url(url: str | None) -> None:
    """Let a UI package name its step-up page (a URL or URL name).

    ``OTP_STEP_UP_URL`` still wins; without either, users go to the login URL.
    """
    global _default_step_up_url
    _default_step_up_url = url


def set_sensitive_policy(factory: Callable[[], BasePolicy | None] | None) -> None:
    """Let a UI package say what sensitive actions need (its sudo mode)."""
    global _sensitive_policy
    _sensitive_policy = factory


def sensitive_policy() -> BasePolicy | None:
    """What a plugin's own sensitive pages (add or remove a factor) should require.

    None unless a UI package set it: then e.g. "any second factor in the last
    ten minutes" (two-factor-ui's ``TWO_FACTOR_SENSITIVE_MAX_AGE``).
    """
    return _sensitive_policy() if _sensitive_policy is not None else None


def step_up_url() -> str | None:
    """Where a signed-in user who misses a policy goes to prove it:
    ``OTP_STEP_UP_URL``, else the installed UI's step-up page, else None
    (the view's login URL)."""
    if otp_settings.OTP_STEP_UP_URL:
        return resolve_url(otp_settings.OTP_STEP_UP_URL)
    if _default_step_up_url:
        try:
            return resolve_url(_default_step_up_url)
        except NoReverseMatch:
            return None  # the UI is installed but its URLs are not routed
    return None


def note_requirement(request: HttpRequest, policy: PolicyLike) -> None:
    """Leave in the session what the refused request asked for, for the step-up page.

    Keyed by the path it came from (the page's ``next``); only the newest is
    kept. Nothing is trusted from it but the policy's shape: the page still
    checks the session against it and sends the user back only through a
    validated ``next``.
    """
    session = getattr(request, "session", None)
    if session is None:
        return
    from .policy_data import policy_to_data

    try:
        data = policy_to_data(resolve_policy(policy))
    except (TypeError, ImproperlyConfigured):
        return
    session[REQUIREMENT_SESSION_KEY] = {"next": request.get_full_path(), "policy": data}


def requirement_for(request: HttpRequest, next_url: str) -> BasePolicy | None:
    """The policy the page ``next_url`` asked for when it sent the user here, if known."""
    stored = getattr(request, "session", {}).get(REQUIREMENT_SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("next") != next_url:
        return None
    from .policy_data import policy_from_data

    try:
        return policy_from_data(stored.get("policy"))
    except ValueError:
        return None


def check_access(
    request: HttpRequest, policy: PolicyLike = None, if_configured: bool = False
) -> Access:
    """May this request see a view that requires ``policy``?

    Granting uses up a verification that a ``max_age=0`` part of the policy
    accepted ("for this request only").
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Access.ANONYMOUS
    state = getattr(request, "otp", None)
    if state is None:
        raise ImproperlyConfigured("otp_core.middleware.OTPMiddleware is not installed.")
    if state.grant(policy):
        return Access.GRANTED
    if not getattr(request.user, "is_authenticated", False):
        return Access.ANONYMOUS  # signed out from another browser just now
    if not user_has_device(user):
        return Access.GRANTED if if_configured else Access.NO_DEVICE
    return Access.UNVERIFIED


def still_signed_in(request: HttpRequest) -> bool:
    """Is the request's user signed in, and this browser not signed out elsewhere?

    ``login_required`` reads only the session; a browser signed out from
    another one (its :class:`~otp_core.models.SignedInBrowser` row deleted)
    is noticed by the first question about two-factor. This asks it: one
    query, and a signed-out session ends here.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    state = getattr(request, "otp", None)
    if state is not None:
        state.verifications  # noqa: B018  (loading checks the browser's row)
    return bool(getattr(request.user, "is_authenticated", False))


def wants_json(request: HttpRequest) -> bool:
    """Did the client ask for JSON rather than a page (an API or fetch() call)?

    Browsers send ``Accept: text/html,...,*/*``; a client that names JSON and
    not HTML gets a 401 it can act on instead of a redirect to a form.
    """
    accept = request.headers.get("Accept", "")
    types = {part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()}
    names_json = any(t == "application/json" or t.endswith("+json") for t in types)
    return names_json and "text/html" not in types


def acr_value(level: int | None) -> str | None:
    """The OIDC ``acr`` value of an assurance level (``OTP_ACR_VALUES``)."""
    if level is None:
        return None
    return (otp_settings.OTP_ACR_VALUES or {}).get(level)


def insufficient_authentication(request: HttpRequest, policy: PolicyLike) -> JsonResponse:
    """RFC 9470's answer: a 401 with ``WWW-Authenticate: Bearer
    error="insufficient_user_authentication"``.

    ``acr_values`` and ``max_age`` say what the policy asks for, so that an
    API client (or the identity provider in front of it) can step the user up.
    """
    level, max_age = resolve_policy(policy).challenge()
    # RFC 6750: error_description is ASCII for developers, so not translated.
    description = "A stronger or more recent authentication is required."
    params = [
        'error="insufficient_user_authentication"',
        f'error_description="{description}"',
    ]
    body: dict[str, object] = {
        "error": "insufficient_user_authentication",
        "error_description": description,
    }
    acr = acr_value(level)
    if acr:
        params.append(f'acr_values="{acr}"')
        body["acr_values"] = acr
    if max_age is not None:
        params.append(f"max_age={int(max_age)}")
        body["max_age"] = int(max_age)
    response = JsonResponse(body, status=401)
    response["WWW-Authenticate"] = "Bearer " + ", ".join(params)
    return response

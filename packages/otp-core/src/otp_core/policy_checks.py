"""System checks of named policies and URL policies: mistakes fail at start-up.

``otp_core.E030``: a malformed ``OTP_POLICIES`` entry.
``otp_core.E031``: a routed view (``otp_required``, ``OTPRequiredMixin``) or
``OTP_POLICY_URLS`` names an unknown policy.
``otp_core.E032``: a malformed ``OTP_POLICY_URLS``.
``otp_core.E033``: ``OTPPolicyMiddleware`` missing while ``OTP_POLICY_URLS`` is
set, or placed before ``OTPMiddleware``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import Error

from .conf import otp_settings
from .policy_data import policy_from_setting

POLICY_MIDDLEWARE_PATH = "otp_core.policy_middleware.OTPPolicyMiddleware"
OTP_MIDDLEWARE_PATH = "otp_core.middleware.OTPMiddleware"


def check_named_policies(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    policies = otp_settings.OTP_POLICIES
    if policies is None:
        policies = {}
    if not isinstance(policies, Mapping):
        return [Error("OTP_POLICIES must be a dict of name: policy.", id="otp_core.E030")]
    errors: list[Any] = []
    for name, value in policies.items():
        if not isinstance(name, str) or not name:
            errors.append(Error(f"OTP_POLICIES: {name!r} is not a name.", id="otp_core.E030"))
            continue
        try:
            policy_from_setting(name, value)
        except ValueError as exc:
            errors.append(Error(str(exc), id="otp_core.E030"))
    errors.extend(_unknown_names(set(policies)))
    return errors


def routed_policy_names() -> dict[str, set[str]]:
    """Policy names that routed views ask for (``otp_required``, ``OTPRequiredMixin``)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from .deferred import view_class as class_of
    from .mixins import OTPRequiredMixin

    found: dict[str, set[str]] = {}

    def walk(patterns: Any, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                callback = entry.callback
                policy = getattr(callback, "otp_policy", None)
                view_class = class_of(callback)
                if (
                    policy is None
                    and isinstance(view_class, type)
                    and issubclass(view_class, OTPRequiredMixin)
                ):
                    policy = view_class.policy
                if isinstance(policy, str):
                    found.setdefault(policy, set()).add(prefix + str(entry.pattern))

    walk(get_resolver().url_patterns, "/")
    return found


def _unknown_names(known: set[Any]) -> list[Any]:
    try:
        uses = routed_policy_names()
    except Exception:  # Django's own URL checks report a broken URLconf.
        uses = {}
    for index, rule in enumerate(otp_settings.OTP_POLICY_URLS or []):
        if isinstance(rule, (list, tuple)) and len(rule) == 2 and isinstance(rule[1], str):
            uses.setdefault(rule[1], set()).add(f"OTP_POLICY_URLS[{index}]")
    return [
        Error(
            f"The policy {name!r} is not in OTP_POLICIES.",
            hint=f"Used by {', '.join(sorted(places))}. Add it to OTP_POLICIES or fix the name.",
            id="otp_core.E031",
        )
        for name, places in sorted(uses.items())
        if name not in known
    ]


def check_policy_urls(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from .policy_middleware import compile_rules

    rules = otp_settings.OTP_POLICY_URLS
    if not rules:
        return []
    if not isinstance(rules, (list, tuple)):
        return [
            Error(
                "OTP_POLICY_URLS must be a list of (path, policy name) pairs.", id="otp_core.E032"
            )
        ]
    try:
        compile_rules(rules)
    except ValueError as exc:
        return [Error(str(exc), id="otp_core.E032")]
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if POLICY_MIDDLEWARE_PATH not in middleware:
        return [
            Error(
                f"OTP_POLICY_URLS is set but {POLICY_MIDDLEWARE_PATH} is not in MIDDLEWARE: "
                "the URLs it lists are not protected.",
                hint=f"Add it after {OTP_MIDDLEWARE_PATH}.",
                id="otp_core.E033",
            )
        ]
    if OTP_MIDDLEWARE_PATH not in middleware or middleware.index(
        OTP_MIDDLEWARE_PATH
    ) > middleware.index(POLICY_MIDDLEWARE_PATH):
        return [
            Error(
                f"{POLICY_MIDDLEWARE_PATH} must come after {OTP_MIDDLEWARE_PATH}.",
                id="otp_core.E033",
            )
        ]
    return []

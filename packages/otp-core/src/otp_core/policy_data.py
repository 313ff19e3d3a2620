"""Policies written down: ``OTP_POLICIES`` entries and the session's stored form.

:func:`policy_from_setting` checks and builds one entry of the setting
(the system check ``otp_core.E030`` calls it at start-up), :func:`named_policy`
looks one up by name, and :func:`policy_to_data` / :func:`policy_from_data`
store a policy in the session as JSON-friendly data and read it back (the
step-up page's requirement). A page that names no policy never loads this
module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .conf import otp_settings
from .policy import AAL1, AAL2, AAL3, KINDS, BasePolicy, Policy
from .policy_sets import AllOf, AnyOf

__all__ = ["named_policy", "policy_from_data", "policy_from_setting", "policy_to_data"]

_POLICY_KEYS = {"factors", "max_age", "level", "passwordless", "phishing_resistant"}


def policy_from_setting(name: str, value: Any) -> BasePolicy:
    """Build the policy ``OTP_POLICIES[name]`` describes; ValueError when it is malformed."""
    if isinstance(value, BasePolicy):
        return value
    if not isinstance(value, Mapping):
        raise ValueError(f"OTP_POLICIES[{name!r}] must be a dict or a Policy.")
    unknown = set(value) - _POLICY_KEYS
    if unknown:
        raise ValueError(
            f"OTP_POLICIES[{name!r}] has unknown keys: {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(_POLICY_KEYS))}."
        )
    factors = value.get("factors")
    if factors is not None:
        if isinstance(factors, str):
            factors = [factors]
        if not all(isinstance(f, str) for f in factors) or not factors:
            raise ValueError(f"OTP_POLICIES[{name!r}]['factors'] must be a list of kinds.")
        unknown_kinds = set(factors) - set(KINDS)
        if unknown_kinds:
            raise ValueError(
                f"OTP_POLICIES[{name!r}] names unknown factor kinds: "
                f"{', '.join(sorted(unknown_kinds))}; known: {', '.join(sorted(KINDS))}."
            )
    max_age = value.get("max_age")
    if max_age is not None and (
        isinstance(max_age, bool) or not isinstance(max_age, (int, float, timedelta))
    ):
        raise ValueError(f"OTP_POLICIES[{name!r}]['max_age'] must be seconds.")
    level = value.get("level")
    if level is not None and level not in (AAL1, AAL2, AAL3):
        raise ValueError(f"OTP_POLICIES[{name!r}]['level'] must be 1, 2 or 3.")
    return Policy(
        factors=factors,
        max_age=max_age,
        level=level,
        passwordless=value.get("passwordless"),
        phishing_resistant=bool(value.get("phishing_resistant", False)),
    )


def named_policy(name: str) -> BasePolicy:
    """The policy ``OTP_POLICIES`` names ``name``; ImproperlyConfigured when unknown."""
    policies = otp_settings.OTP_POLICIES or {}
    if name not in policies:
        known = ", ".join(sorted(policies)) or "none"
        raise ImproperlyConfigured(f"No policy named {name!r} in OTP_POLICIES (known: {known}).")
    try:
        return policy_from_setting(name, policies[name])
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from None


def policy_to_data(policy: BasePolicy) -> dict[str, Any]:
    """A JSON-friendly form of ``policy`` (for the session), read by :func:`policy_from_data`."""
    if isinstance(policy, AllOf):
        return {"all": [policy_to_data(p) for p in policy.policies]}
    if isinstance(policy, AnyOf):
        return {"any": [policy_to_data(p) for p in policy.policies]}
    if not isinstance(policy, Policy):
        raise TypeError(f"Cannot store {type(policy).__name__}.")
    data: dict[str, Any] = {}
    if policy.factors is not None:
        data["factors"] = sorted(policy.factors)
    for key in ("max_age", "level", "passwordless"):
        if getattr(policy, key) is not None:
            data[key] = getattr(policy, key)
    if policy.phishing_resistant:
        data["phishing_resistant"] = True
    return data


def policy_from_data(data: Any, depth: int = 0) -> BasePolicy:
    """The policy :func:`policy_to_data` stored; ValueError for anything else."""
    if depth > 8 or not isinstance(data, Mapping):
        raise ValueError("not a stored policy")
    for key, combine in (("all", AllOf), ("any", AnyOf)):
        if key in data:
            parts = data[key]
            if not isinstance(parts, list) or not parts or len(data) != 1:
                raise ValueError("not a stored policy")
            return combine(*(policy_from_data(p, depth + 1) for p in parts))
    return policy_from_setting("stored", data)

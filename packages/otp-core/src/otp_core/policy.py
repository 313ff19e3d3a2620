"""Requirements a view can state about how a session was verified.

A :class:`Policy` names which factor kinds count (RFC 8176 ``amr`` values),
how recent the verification must be, and a minimum assurance level, so a view
can ask for "a hardware key within the last five minutes" while the rest of
the site accepts any second factor. Policies combine with ``&`` (both) and
``|`` (either), and a project names its policies once in ``OTP_POLICIES``
so that views say ``otp_required(policy="payments")``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from .conf import otp_settings
from .values import Value

if TYPE_CHECKING:
    from .session import Verification

__all__ = [
    "AAL1",
    "AAL2",
    "AAL3",
    "ANY_FACTOR",
    "KINDS",
    "ONE_REQUEST_WINDOW",
    "PHISHING_RESISTANT",
    "AllOf",
    "AnyOf",
    "BasePolicy",
    "Policy",
    "PolicyLike",
    "assurance_level",
    "named_policy",
    "policy_from_data",
    "policy_to_data",
    "resolve_policy",
]

#: NIST SP 800-63B authenticator assurance levels.
AAL1 = 1
AAL2 = 2
AAL3 = 3

#: Factor kinds (``amr`` values) the installed packages record, with their
#: assurance level and whether they resist phishing. ``email`` and
#: ``recovery`` are ours: RFC 8176 has no value for them.
KINDS: dict[str, tuple[int, bool]] = {
    "pwd": (AAL1, False),  # a password
    "email": (AAL1, False),  # a code sent by e-mail (NIST: not an out-of-band authenticator)
    "otp": (AAL2, False),  # an authenticator app, a hardware OTP token, a YubiKey OTP
    "sms": (AAL2, False),  # a code sent by text message
    "tel": (AAL2, False),  # a code read out in a phone call
    "recovery": (AAL2, False),  # a backup (recovery) code
    "swk": (AAL2, True),  # a WebAuthn key whose secret may leave the device (a synced passkey)
    "hwk": (AAL3, True),  # a WebAuthn key bound to hardware
}

#: The kinds that cannot be replayed on another site: WebAuthn keys.
PHISHING_RESISTANT = frozenset(kind for kind, (_, resists) in KINDS.items() if resists)

#: A ``max_age=0`` policy accepts a verification once, and only this young (seconds).
ONE_REQUEST_WINDOW = 300

#: Kinds that are not a second factor on their own: a plain ``Policy()`` skips them.
_FIRST_FACTORS = frozenset({"pwd"})


def assurance_level(amr: str) -> int:
    """The assurance level a verification of kind ``amr`` provides (AAL2 if unknown)."""
    return KINDS.get(amr, (AAL2, False))[0]


class BasePolicy:
    """What every policy offers: a test over a session's verifications, ``&`` and ``|``."""

    def matching(self, verifications: list[Verification], now: float) -> list[Verification] | None:
        """The verifications that satisfy the policy, or None when it is not met."""
        raise NotImplementedError

    def is_satisfied_by(self, verifications: Iterable[Verification], now: float) -> bool:
        return self.matching(list(verifications), now) is not None

    def parts(self) -> list[Policy]:
        """The plain :class:`Policy` objects this one is made of."""
        raise NotImplementedError

    @property
    def one_request(self) -> bool:
        """Does some part accept a verification only once (``max_age=0``)?"""
        return any(p.max_age == 0 for p in self.parts())

    def challenge(self) -> tuple[int | None, float | None]:
        """(level, max_age) a client must meet: the RFC 9470 ``acr_values``/``max_age``."""
        raise NotImplementedError

    def __and__(self, other: BasePolicy) -> AllOf:
        if not isinstance(other, BasePolicy):
            return NotImplemented
        return AllOf(self, other)

    def __or__(self, other: BasePolicy) -> AnyOf:
        if not isinstance(other, BasePolicy):
            return NotImplemented
        return AnyOf(self, other)


class Policy(BasePolicy, Value):
    """What one verification of the session must be.

    ``factors``: the acceptable kinds; None accepts any second factor (not a
    password alone).
    ``max_age``: seconds (or a timedelta) since the qualifying verification;
    0 means "for this request only": a verification at most
    :data:`ONE_REQUEST_WINDOW` seconds old, accepted once.
    ``level``: the minimum assurance level (:data:`AAL2`, :data:`AAL3`).
    ``phishing_resistant``: only kinds in :data:`PHISHING_RESISTANT`.
    ``passwordless``: None accepts any verification; False only a second
    factor given after a password (not a passkey sign-in); True only a
    passkey sign-in, which stands for both factors.
    """

    _fields = ("factors", "max_age", "level", "passwordless", "phishing_resistant")
    __slots__ = _fields
    factors: frozenset[str] | None
    max_age: float | None
    level: int | None
    passwordless: bool | None
    phishing_resistant: bool

    def __init__(
        self,
        factors: Iterable[str] | str | None = None,
        max_age: float | timedelta | None = None,
        level: int | None = None,
        passwordless: bool | None = None,
        phishing_resistant: bool = False,
    ) -> None:
        if isinstance(factors, str):
            factors = [factors]
        if isinstance(max_age, timedelta):
            max_age = max_age.total_seconds()
        if max_age is not None and max_age < 0:
            raise ValueError("max_age must not be negative")
        self._fill(
            None if factors is None else frozenset(factors),
            max_age,
            level,
            passwordless,
            bool(phishing_resistant),
        )

    def accepts(self, verification: Verification, now: float) -> bool:
        """Does this one verification satisfy the policy at time ``now``?"""
        kind = verification.amr
        if self.factors is None:
            if kind in _FIRST_FACTORS:
                return False
        elif kind not in self.factors:
            return False
        if self.level is not None and assurance_level(kind) < self.level:
            return False
        if self.phishing_resistant and kind not in PHISHING_RESISTANT:
            return False
        if self.passwordless is not None and verification.passwordless != self.passwordless:
            return False
        if self.max_age == 0:
            return not verification.spent and now - verification.at <= ONE_REQUEST_WINDOW
        return not (self.max_age is not None and now - verification.at > self.max_age)

    def matching(self, verifications: list[Verification], now: float) -> list[Verification] | None:
        # The newest acceptable one: that is the one a one-request policy spends.
        for verification in reversed(verifications):
            if self.accepts(verification, now):
                return [verification]
        return None

    def parts(self) -> list[Policy]:
        return [self]

    def challenge(self) -> tuple[int | None, float | None]:
        # Asking only for kinds of a higher level asks for that level.
        floor = min(assurance_level(k) for k in self.factors) if self.factors else None
        levels = [lv for lv in (self.level, floor) if lv is not None]
        return (max(levels) if levels else None), self.max_age


class AllOf(BasePolicy):
    """Every part must be met (by the same or different verifications)."""

    def __init__(self, *policies: BasePolicy) -> None:
        self.policies = tuple(policies)

    def matching(self, verifications: list[Verification], now: float) -> list[Verification] | None:
        found: list[Verification] = []
        for policy in self.policies:
            matched = policy.matching(verifications, now)
            if matched is None:
                return None
            found.extend(v for v in matched if v not in found)
        return found

    def parts(self) -> list[Policy]:
        return [part for policy in self.policies for part in policy.parts()]

    def challenge(self) -> tuple[int | None, float | None]:
        levels, ages = zip(*(p.challenge() for p in self.policies), strict=True)
        known_levels = [lv for lv in levels if lv is not None]
        known_ages = [a for a in ages if a is not None]
        level = max(known_levels) if known_levels else None
        return level, (min(known_ages) if known_ages else None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AllOf) and other.policies == self.policies

    def __hash__(self) -> int:
        return hash(("all", self.policies))

    def __repr__(self) -> str:
        return " & ".join(f"({p!r})" for p in self.policies)


class AnyOf(BasePolicy):
    """One part must be met; the first one met (in order) counts."""

    def __init__(self, *policies: BasePolicy) -> None:
        self.policies = tuple(policies)

    def matching(self, verifications: list[Verification], now: float) -> list[Verification] | None:
        for policy in self.policies:
            matched = policy.matching(verifications, now)
            if matched is not None:
                return matched
        return None

    def parts(self) -> list[Policy]:
        return [part for policy in self.policies for part in policy.parts()]

    def challenge(self) -> tuple[int | None, float | None]:
        # The easiest alternative is what a client is asked for.
        levels, ages = zip(*(p.challenge() for p in self.policies), strict=True)
        level = None if None in levels else min(levels)  # type: ignore[type-var]
        age = None if None in ages else max(ages)  # type: ignore[type-var]
        return level, age

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AnyOf) and other.policies == self.policies

    def __hash__(self) -> int:
        return hash(("any", self.policies))

    def __repr__(self) -> str:
        return " | ".join(f"({p!r})" for p in self.policies)


#: Any verified second factor, however old: django-otp's ``is_verified()``.
ANY_FACTOR = Policy()

#: What views accept for ``policy``: a policy, a name in ``OTP_POLICIES``, or None.
PolicyLike = BasePolicy | str | None

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


def resolve_policy(policy: PolicyLike) -> BasePolicy:
    """A policy object for ``policy``: itself, the named one, or :data:`ANY_FACTOR`."""
    if policy is None:
        return ANY_FACTOR
    if isinstance(policy, str):
        return named_policy(policy)
    return policy


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

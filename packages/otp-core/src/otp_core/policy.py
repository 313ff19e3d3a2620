"""Requirements a view can state about how a session was verified.

A :class:`Policy` names which factor kinds count (RFC 8176 ``amr`` values),
how recent the verification must be, and a minimum assurance level, so a view
can ask for "a hardware key within the last five minutes" while the rest of
the site accepts any second factor. Policies combine with ``&`` (both) and
``|`` (either), and a project names its policies once in ``OTP_POLICIES``
so that views say ``otp_required(policy="payments")``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from .deferred import moved
from .values import Value

if TYPE_CHECKING:
    from .policy_sets import AllOf, AnyOf
    from .session import Verification

__all__ = [
    "AAL1",
    "AAL2",
    "AAL3",
    "ANY_FACTOR",
    "KINDS",
    "ONE_REQUEST_WINDOW",
    "PHISHING_RESISTANT",
    "BasePolicy",
    "Policy",
    "PolicyLike",
    "assurance_level",
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
        from .policy_sets import AllOf

        return AllOf(self, other)

    def __or__(self, other: BasePolicy) -> AnyOf:
        if not isinstance(other, BasePolicy):
            return NotImplemented
        from .policy_sets import AnyOf

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


ANY_FACTOR = Policy()

#: What views accept for ``policy``: a policy, a name in ``OTP_POLICIES``, or None.
PolicyLike = BasePolicy | str | None


def resolve_policy(policy: PolicyLike) -> BasePolicy:
    """A policy object for ``policy``: itself, the named one, or :data:`ANY_FACTOR`."""
    if policy is None:
        return ANY_FACTOR
    if isinstance(policy, str):
        from .policy_data import named_policy

        return named_policy(policy)
    return policy


# Still importable from here: policies read from a setting or the session
# (otp_core.policy_data) and combined ones (otp_core.policy_sets).
__getattr__ = moved(
    __name__,
    {
        **dict.fromkeys(
            ("named_policy", "policy_from_data", "policy_from_setting", "policy_to_data"),
            "otp_core.policy_data",
        ),
        **dict.fromkeys(("AllOf", "AnyOf"), "otp_core.policy_sets"),
    },
)

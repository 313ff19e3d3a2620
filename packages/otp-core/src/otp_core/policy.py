"""Requirements a view can state about how a session was verified.

A :class:`Policy` names which factor kinds count (RFC 8176 ``amr`` values),
how recent the verification must be, and a minimum assurance level, so a view
can ask for "a hardware key within the last five minutes" while the rest of
the site accepts any second factor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import Verification

__all__ = ["AAL2", "AAL3", "ANY_FACTOR", "Policy", "assurance_level"]

#: NIST SP 800-63B authenticator assurance levels of a verified second factor.
AAL2 = 2
AAL3 = 3

# Only a hardware-bound cryptographic key (WebAuthn security key, YubiKey with
# a hardware secret) reaches AAL3; every other second factor gives AAL2.
_LEVELS = {"hwk": AAL3}


def assurance_level(amr: str) -> int:
    """The assurance level a verification of kind ``amr`` provides."""
    return _LEVELS.get(amr, AAL2)


@dataclass(frozen=True)
class Policy:
    """What a session must have proved.

    ``factors``: the acceptable kinds (any second factor when None).
    ``max_age``: seconds (or a timedelta) since the qualifying verification.
    ``level``: the minimum assurance level (:data:`AAL2`, :data:`AAL3`).
    ``passwordless``: None accepts any verification; False only a second
    factor given after a password (not a passkey sign-in); True only a
    passkey sign-in, which stands for both factors.
    """

    factors: frozenset[str] | None = None
    max_age: float | None = None
    level: int | None = None
    passwordless: bool | None = None

    def __init__(
        self,
        factors: Iterable[str] | str | None = None,
        max_age: float | timedelta | None = None,
        level: int | None = None,
        passwordless: bool | None = None,
    ) -> None:
        if isinstance(factors, str):
            factors = [factors]
        if isinstance(max_age, timedelta):
            max_age = max_age.total_seconds()
        if max_age is not None and max_age < 0:
            raise ValueError("max_age must not be negative")
        object.__setattr__(self, "factors", None if factors is None else frozenset(factors))
        object.__setattr__(self, "max_age", max_age)
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "passwordless", passwordless)

    def accepts(self, verification: Verification, now: float) -> bool:
        """Does this one verification satisfy the policy at time ``now``?"""
        if self.factors is not None and verification.amr not in self.factors:
            return False
        if self.level is not None and assurance_level(verification.amr) < self.level:
            return False
        if self.passwordless is not None and verification.passwordless != self.passwordless:
            return False
        return not (self.max_age is not None and now - verification.at > self.max_age)

    def is_satisfied_by(self, verifications: Iterable[Verification], now: float) -> bool:
        return any(self.accepts(v, now) for v in verifications)


#: Any verified second factor, however old: django-otp's ``is_verified()``.
ANY_FACTOR = Policy()

"""Policies combined: every one of several (``a & b``), or any one (``a | b``).

:class:`AllOf` and :class:`AnyOf` are what ``&`` and ``|`` on policies
build; a named policy or a stored requirement may be one. A plain
:class:`~otp_core.policy.Policy`, as most pages ask, never loads this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .policy import BasePolicy

if TYPE_CHECKING:
    from .policy import Policy
    from .session import Verification

__all__ = ["AllOf", "AnyOf"]


class _Combined(BasePolicy):
    """What both combinations share: their parts, equality, hash and repr."""

    #: Tells the two kinds apart in a hash; joins the parts in the repr.
    _tag = ""
    _joiner = ""

    def __init__(self, *policies: BasePolicy) -> None:
        self.policies = tuple(policies)

    def parts(self) -> list[Policy]:
        return [part for policy in self.policies for part in policy.parts()]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and other.policies == self.policies

    def __hash__(self) -> int:
        return hash((self._tag, self.policies))

    def __repr__(self) -> str:
        return self._joiner.join(f"({p!r})" for p in self.policies)


class AllOf(_Combined):
    """Every part must be met (by the same or different verifications)."""

    _tag, _joiner = "all", " & "

    def matching(self, verifications: list[Verification], now: float) -> list[Verification] | None:
        found: list[Verification] = []
        for policy in self.policies:
            matched = policy.matching(verifications, now)
            if matched is None:
                return None
            found.extend(v for v in matched if v not in found)
        return found

    def challenge(self) -> tuple[int | None, float | None]:
        levels, ages = zip(*(p.challenge() for p in self.policies), strict=True)
        known_levels = [lv for lv in levels if lv is not None]
        known_ages = [a for a in ages if a is not None]
        level = max(known_levels) if known_levels else None
        return level, (min(known_ages) if known_ages else None)


class AnyOf(_Combined):
    """One part must be met; the first one met (in order) counts."""

    _tag, _joiner = "any", " | "

    def matching(self, verifications: list[Verification], now: float) -> list[Verification] | None:
        for policy in self.policies:
            matched = policy.matching(verifications, now)
            if matched is not None:
                return matched
        return None

    def challenge(self) -> tuple[int | None, float | None]:
        # The easiest alternative is what a client is asked for.
        levels, ages = zip(*(p.challenge() for p in self.policies), strict=True)
        level = None if None in levels else min(levels)  # type: ignore[type-var]
        age = None if None in ages else max(ages)  # type: ignore[type-var]
        return level, age


#: Any verified second factor, however old: django-otp's ``is_verified()``.

"""What the step-up page needs to know: which of a user's methods meet a policy.

A device *meets* a policy when one fresh verification of it, added to what
the session has already proved, satisfies the policy. When no single device
does (``a & b`` with neither proved), devices that meet one unmet part are
offered, one step at a time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from otp_core.policy import KINDS, BasePolicy, Policy
from otp_core.session import PASSWORD_ID, Verification

__all__ = ["KIND_NAMES", "describe", "meeting_devices", "password_meets"]

#: How the page names a factor kind ("... needs a hardware security key").
KIND_NAMES: dict[str, Any] = {
    "pwd": _("your password"),
    "email": _("a code sent by e-mail"),
    "otp": _("an authenticator app"),
    "sms": _("a code sent by text message"),
    "tel": _("a code read out in a phone call"),
    "recovery": _("a backup code"),
    "swk": _("a passkey"),
    "hwk": _("a hardware security key"),
}


def _with(verifications: list[Verification], extra: Verification) -> list[Verification]:
    return [*verifications, extra]


def _fresh(device: Any) -> Verification:
    return Verification(device.persistent_id, device.factor_kind, time.time())


def meeting_devices(
    policy: BasePolicy, verifications: list[Verification], devices: Iterable[Any]
) -> list[Any]:
    """Devices whose fresh verification satisfies ``policy`` (or, failing that, an unmet part)."""
    now = time.time()
    devices = list(devices)
    whole = [d for d in devices if policy.is_satisfied_by(_with(verifications, _fresh(d)), now)]
    if whole:
        return whole
    unmet = [p for p in policy.parts() if not p.is_satisfied_by(verifications, now)]
    return [
        d
        for d in devices
        if any(p.is_satisfied_by(_with(verifications, _fresh(d)), now) for p in unmet)
    ]


def password_meets(policy: BasePolicy, verifications: list[Verification]) -> bool:
    """Would giving the password now satisfy ``policy`` (or one unmet part of it)?"""
    now = time.time()
    fresh = Verification(PASSWORD_ID, "pwd", now)
    if policy.is_satisfied_by(_with(verifications, fresh), now):
        return True
    unmet = [p for p in policy.parts() if not p.is_satisfied_by(verifications, now)]
    return any(p.is_satisfied_by(_with(verifications, fresh), now) for p in unmet)


def _kinds_of(part: Policy) -> list[str]:
    """The kinds a fresh verification of which ``part`` accepts (its own rule, not a copy)."""
    candidates = list(KINDS) if part.factors is None else sorted(part.factors)
    now = time.time()
    return [
        kind
        for kind in candidates
        if part.accepts(Verification("", kind, now, bool(part.passwordless)), now)
    ]


def describe(policy: BasePolicy, verifications: list[Verification]) -> list[str]:
    """One sentence per unmet part: which kinds would do, and how recently."""
    now = time.time()
    sentences = []
    for part in policy.parts():
        if part.is_satisfied_by(verifications, now):
            continue
        names = [str(KIND_NAMES.get(k, k)) for k in _kinds_of(part)]
        if part.factors is None and part.level is None and not part.phishing_resistant:
            names = [gettext("one of your sign-in methods")]
        if not names:
            sentences.append(gettext("a kind of verification this site does not offer"))
            continue
        if len(names) > 1:
            what = gettext("%(first)s or %(last)s") % {
                "first": ", ".join(names[:-1]),
                "last": names[-1],
            }
        else:
            what = names[0]
        if part.max_age == 0:
            sentences.append(gettext("%(what)s, used just now") % {"what": what})
        elif part.max_age is not None:
            minutes = max(1, round(part.max_age / 60))
            sentences.append(
                ngettext(
                    "%(what)s, used in the last minute",
                    "%(what)s, used in the last %(minutes)d minutes",
                    minutes,
                )
                % {"what": what, "minutes": minutes}
            )
        else:
            sentences.append(str(what))
    return sentences

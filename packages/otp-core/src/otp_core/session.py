"""What a session knows about its second-factor verifications.

django-otp stores one device id in the session; we store a short list of
verifications (device persistent id, RFC 8176 factor kind, Unix time), newest
last, and keep django-otp's key for the newest device so that code written for
it keeps working. :class:`OTPState` answers questions about that list and is
what the middleware puts on ``request.otp``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async

from .conf import otp_settings
from .legacy import adopt_legacy_session
from .policy import ANY_FACTOR, PolicyLike, assurance_level, resolve_policy
from .values import Value

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Device

__all__ = [
    "DEVICE_ID_SESSION_KEY",
    "PASSWORD_ID",
    "VERIFICATIONS_SESSION_KEY",
    "OTPState",
    "Verification",
    "record_password",
    "record_verification",
    "second_factor_verifications",
    "stored_verifications",
]

#: django-otp's session key: the persistent id of the newest verified device.
DEVICE_ID_SESSION_KEY = "otp_device_id"
#: The list of verifications, as JSON-friendly dicts.
VERIFICATIONS_SESSION_KEY = "otp_verifications"
#: The "device id" of a password verification (kind ``pwd``): there is no device.
PASSWORD_ID = "password"


class Verification(Value):
    """One verification the session recorded: which device, what kind, when."""

    _fields = ("device_id", "amr", "at", "passwordless", "spent")
    __slots__ = _fields
    device_id: str
    amr: str
    at: float
    #: A passkey sign-in with user verification: the device stood for both
    #: factors (no password was given), as opposed to password + device.
    passwordless: bool
    #: Already used by a "this request only" policy (``max_age=0``).
    spent: bool

    def __init__(
        self, device_id: str, amr: str, at: float, passwordless: bool = False, spent: bool = False
    ) -> None:
        self._fill(device_id, amr, at, passwordless, spent)

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.at


def stored_verifications(session: Any) -> list[Verification]:
    """The verifications recorded in ``session``, oldest first; bad entries dropped."""
    raw = session.get(VERIFICATIONS_SESSION_KEY) or []
    result = []
    for item in raw if isinstance(raw, list) else []:
        try:
            result.append(
                Verification(
                    str(item["d"]),
                    str(item["k"]),
                    float(item["t"]),
                    item.get("p") is True,
                    item.get("s") is True,
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return result


def record_verification(
    session: Any, device: Device, at: float | None = None, *, passwordless: bool = False
) -> Verification:
    """Append a verification of ``device`` to ``session`` (one entry per device).

    ``passwordless``: the device signed the user in alone (a passkey with user
    verification), standing for both factors.
    """
    entry = Verification(
        device.persistent_id,
        device.factor_kind,
        time.time() if at is None else at,
        passwordless,
    )
    kept = [v for v in stored_verifications(session) if v.device_id != entry.device_id]
    kept.append(entry)
    kept = kept[-max(1, otp_settings.OTP_SESSION_MAX_VERIFICATIONS) :]
    session[VERIFICATIONS_SESSION_KEY] = [_stored(v) for v in kept]
    session[DEVICE_ID_SESSION_KEY] = entry.device_id
    return entry


def second_factor_verifications(session: Any) -> list[Verification]:
    """:func:`stored_verifications` without the password (kind ``pwd``)."""
    return [v for v in stored_verifications(session) if v.device_id != PASSWORD_ID]


def record_password(session: Any, at: float | None = None) -> Verification:
    """Record that the user gave their password (kind ``pwd``), replacing an older one.

    A password is not a second factor: it satisfies only policies that name
    ``pwd``, and ``is_verified()`` ignores it.
    """
    entry = Verification(PASSWORD_ID, "pwd", time.time() if at is None else at)
    kept = [v for v in stored_verifications(session) if v.device_id != PASSWORD_ID]
    kept.append(entry)
    kept = kept[-max(1, otp_settings.OTP_SESSION_MAX_VERIFICATIONS) :]
    session[VERIFICATIONS_SESSION_KEY] = [_stored(v) for v in kept]
    return entry


def _stored(v: Verification) -> dict[str, Any]:
    item: dict[str, Any] = {"d": v.device_id, "k": v.amr, "t": v.at}
    if v.passwordless:
        item["p"] = True
    if v.spent:
        item["s"] = True
    return item


def spend_verifications(session: Any, spent: Iterable[Verification]) -> None:
    """Mark ``spent`` as used by a "this request only" policy (``max_age=0``)."""
    keys = {(v.device_id, v.at) for v in spent}
    if not keys:
        return
    stored = stored_verifications(session)
    session[VERIFICATIONS_SESSION_KEY] = [
        _stored(Verification(v.device_id, v.amr, v.at, v.passwordless, True))
        if (v.device_id, v.at) in keys
        else _stored(v)
        for v in stored
    ]


class OTPState:
    """The verified factors of one request's session, checked lazily.

    Nothing touches the database until a question is asked; the first one
    loads the recorded devices (one query per device model, so one in the
    usual case) and drops verifications whose device was deleted, is no
    longer confirmed, or belongs to another user. The same query checks
    that this browser's :class:`~otp_core.models.SignedInBrowser` row still
    exists: when it does not (signed out from another browser), the session
    is signed out and nothing counts as verified (:mod:`otp_core.browsers`).
    """

    def __init__(self, request: HttpRequest, user: Any = None) -> None:
        self._request = request
        self._user = user
        self._loaded: tuple[list[Verification], dict[str, Device]] | None = None

    # -- loading -------------------------------------------------------------

    def _user_obj(self) -> Any:
        return self._user if self._user is not None else getattr(self._request, "user", None)

    def _load(self) -> tuple[list[Verification], dict[str, Device]]:
        if self._loaded is None:
            self._loaded = self._fetch()
        return self._loaded

    def _fetch(self) -> tuple[list[Verification], dict[str, Device]]:
        session = getattr(self._request, "session", None)
        user = self._user_obj()
        if session is None or user is None or not user.is_authenticated:
            return [], {}
        adopt_legacy_session(session, user, record_verification)  # django-otp's sessions
        recorded = stored_verifications(session)
        if not any(v.device_id != PASSWORD_ID for v in recorded):
            # Only django-otp's key (a password alone does not count against it).
            legacy = session.get(DEVICE_ID_SESSION_KEY)
            if legacy:
                recorded = [*recorded, Verification(str(legacy), "otp", 0.0)]
        from . import browsers
        from .device_query import UNKNOWN, load_devices

        secret = browsers.session_secret(session)
        # A row this very request is writing (a sign-in) needs no check.
        fresh = secret is not None and browsers.written_here(self._request, secret)
        browser = browsers.digest(secret) if secret is not None and not fresh else None
        devices, state = load_devices((v.device_id for v in recorded), user.pk, browser)
        if browser is not None:
            if state is UNKNOWN:  # no device row came back to carry it
                state = browsers.row_state(browser, user.pk)
            if state is None:
                # Signed out from another browser (its row deleted): end this session.
                browsers.gone(self._request, user)
                return [], {}
            if state:  # last seen SEEN_INTERVAL or more ago: refresh the row
                browsers.note_change(self._request)
        elif secret is None:
            if browsers.BROWSER_SESSION_KEY in session:
                browsers.gone(self._request, user)  # a broken id: treated as signed out
                return [], {}
            browsers.adopt_session(self._request, user)  # signed in before rows existed
        valid = []
        for v in recorded:
            if v.device_id == PASSWORD_ID:
                if v.amr == "pwd":
                    valid.append(v)
                continue
            device = devices.get(v.device_id)
            if device is not None:
                # The kind comes from the device class, not from the session.
                valid.append(
                    Verification(v.device_id, device.factor_kind, v.at, v.passwordless, v.spent)
                )
        return valid, devices

    def invalidate(self) -> None:
        """Forget what was loaded; the next question reads the session again."""
        self._loaded = None

    # -- questions -----------------------------------------------------------

    @property
    def verifications(self) -> list[Verification]:
        """Valid verifications of this session, oldest first."""
        return list(self._load()[0])

    @property
    def device(self) -> Device | None:
        """The most recently verified device (django-otp's ``otp_device``)."""
        verifications, devices = self._load()
        for verification in reversed(verifications):
            if verification.device_id in devices:
                return devices[verification.device_id]
        return None

    def is_verified(self) -> bool:
        return self.device is not None

    @property
    def factors(self) -> frozenset[str]:
        """The factor kinds (``amr`` values) this session has verified."""
        return frozenset(v.amr for v in self._load()[0])

    @property
    def passwordless(self) -> bool:
        """Did the newest verification sign the user in alone (a passkey sign-in)?"""
        verifications = [v for v in self._load()[0] if v.amr != "pwd"]
        return bool(verifications) and verifications[-1].passwordless

    def age(self, factors: Iterable[str] | str | None = None) -> float | None:
        """Seconds since the newest second factor (or of one of ``factors``), or None."""
        if isinstance(factors, str):
            factors = [factors]
        wanted = None if factors is None else set(factors)
        times = [
            v.at for v in self._load()[0] if (v.amr != "pwd" if wanted is None else v.amr in wanted)
        ]
        return time.time() - max(times) if times else None

    @property
    def amr(self) -> list[str]:
        """RFC 8176 ``amr`` values of this session: its factor kinds, plus
        ``mfa`` when a password and a second factor, or a passkey sign-in
        (which stands for both), were verified."""
        verifications = self._load()[0]
        kinds = {v.amr for v in verifications}
        second = [v for v in verifications if v.amr != "pwd"]
        if any(v.passwordless for v in second) or ("pwd" in kinds and second):
            kinds.add("mfa")
        return sorted(kinds)

    @property
    def level(self) -> int | None:
        """The highest assurance level this session has verified (None: none)."""
        levels = [assurance_level(v.amr) for v in self._load()[0]]
        return max(levels) if levels else None

    def satisfies(self, policy: PolicyLike = ANY_FACTOR) -> bool:
        """Does the session meet ``policy`` (a policy or a name in ``OTP_POLICIES``)?

        Asks only: a "this request only" verification is not used up; see
        :meth:`grant` for that.
        """
        return resolve_policy(policy).is_satisfied_by(self._load()[0], time.time())

    def grant(self, policy: PolicyLike = ANY_FACTOR) -> bool:
        """:meth:`satisfies`, and use up what a ``max_age=0`` part accepted.

        What views call when they let the request through: a verification
        given "for this request only" then serves no second request.
        """
        resolved = resolve_policy(policy)
        verifications, now = self._load()[0], time.time()
        matched = resolved.matching(verifications, now)
        if matched is None:
            return False
        if resolved.one_request:
            # Only what a "this request only" part itself accepted is used up.
            spent = [
                v
                for part in resolved.parts()
                if part.max_age == 0
                for v in (part.matching(verifications, now) or [])
                if v in matched
            ]
            session = getattr(self._request, "session", None)
            if session is not None and spent:
                from . import browsers

                spend_verifications(session, spent)
                browsers.note_change(self._request)
                self.invalidate()
        return True

    # -- async views -----------------------------------------------------------

    async def aload(self) -> OTPState:
        """Load the session's verifications from async code; returns ``self``.

        The questions above read the database the first time one is asked,
        which async code may not do directly. After ``await request.otp.aload()``
        they answer from memory (``request.otp.factors``, ``age()``...).
        """
        if self._loaded is None:
            await sync_to_async(self._load)()
        return self

    async def ais_verified(self) -> bool:
        """:meth:`is_verified` for async code."""
        return (await self.aload()).is_verified()

    async def asatisfies(self, policy: PolicyLike = ANY_FACTOR) -> bool:
        """:meth:`satisfies` for async code."""
        return (await self.aload()).satisfies(policy)

    def __repr__(self) -> str:
        state = "not loaded" if self._loaded is None else f"{len(self._loaded[0])} verified"
        return f"<OTPState {state}>"

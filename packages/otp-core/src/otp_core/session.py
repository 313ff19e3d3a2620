"""What a session knows about its second-factor verifications.

django-otp stores one device id in the session; we store a short list of
verifications (device persistent id, RFC 8176 factor kind, Unix time), newest
last, and keep django-otp's key for the newest device so that code written for
it keeps working. :class:`OTPState` answers questions about that list and is
what the middleware puts on ``request.otp``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async

from .conf import otp_settings
from .policy import ANY_FACTOR, Policy

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Device

__all__ = [
    "DEVICE_ID_SESSION_KEY",
    "VERIFICATIONS_SESSION_KEY",
    "OTPState",
    "Verification",
    "record_verification",
    "stored_verifications",
]

#: django-otp's session key: the persistent id of the newest verified device.
DEVICE_ID_SESSION_KEY = "otp_device_id"
#: The list of verifications, as JSON-friendly dicts.
VERIFICATIONS_SESSION_KEY = "otp_verifications"


@dataclass(frozen=True)
class Verification:
    device_id: str
    amr: str
    at: float
    #: A passkey sign-in with user verification: the device stood for both
    #: factors (no password was given), as opposed to password + device.
    passwordless: bool = False

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
                    str(item["d"]), str(item["k"]), float(item["t"]), item.get("p") is True
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


def _stored(v: Verification) -> dict[str, Any]:
    item: dict[str, Any] = {"d": v.device_id, "k": v.amr, "t": v.at}
    if v.passwordless:
        item["p"] = True
    return item


class OTPState:
    """The verified factors of one request's session, checked lazily.

    Nothing touches the database until a question is asked; the first one
    loads the recorded devices (one query per device model, so one in the
    usual case) and drops verifications whose device was deleted, is no
    longer confirmed, or belongs to another user.
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
        recorded = stored_verifications(session)
        if not recorded:
            legacy = session.get(DEVICE_ID_SESSION_KEY)
            if legacy:
                recorded = [Verification(str(legacy), "otp", 0.0)]
        devices = _load_devices((v.device_id for v in recorded), user.pk)
        valid = []
        for v in recorded:
            device = devices.get(v.device_id)
            if device is not None:
                # The kind comes from the device class, not from the session.
                valid.append(Verification(v.device_id, device.factor_kind, v.at, v.passwordless))
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
        return devices[verifications[-1].device_id] if verifications else None

    def is_verified(self) -> bool:
        return self.device is not None

    @property
    def factors(self) -> frozenset[str]:
        """The factor kinds (``amr`` values) this session has verified."""
        return frozenset(v.amr for v in self._load()[0])

    @property
    def passwordless(self) -> bool:
        """Did the newest verification sign the user in alone (a passkey sign-in)?"""
        verifications = self._load()[0]
        return bool(verifications) and verifications[-1].passwordless

    def age(self, factors: Iterable[str] | str | None = None) -> float | None:
        """Seconds since the newest verification (of one of ``factors``), or None."""
        if isinstance(factors, str):
            factors = [factors]
        wanted = None if factors is None else set(factors)
        times = [v.at for v in self._load()[0] if wanted is None or v.amr in wanted]
        return time.time() - max(times) if times else None

    def satisfies(self, policy: Policy = ANY_FACTOR) -> bool:
        return policy.is_satisfied_by(self._load()[0], time.time())

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

    async def asatisfies(self, policy: Policy = ANY_FACTOR) -> bool:
        """:meth:`satisfies` for async code."""
        return (await self.aload()).satisfies(policy)

    def __repr__(self) -> str:
        state = "not loaded" if self._loaded is None else f"{len(self._loaded[0])} verified"
        return f"<OTPState {state}>"


def _load_devices(device_ids: Iterable[str], user_pk: Any) -> dict[str, Device]:
    """Confirmed devices of ``user_pk`` by persistent id, one query per model."""
    from .models.device import _split_persistent_id

    by_model: dict[type, list[str]] = defaultdict(list)
    for device_id in device_ids:
        model, pk = _split_persistent_id(device_id)
        if model is not None:
            by_model[model].append(pk)
    found: dict[str, Device] = {}
    for model, pks in by_model.items():
        try:
            rows = model._default_manager.filter(pk__in=pks, user_id=user_pk, confirmed=True)
            for device in rows:
                found[device.persistent_id] = device
        except (ValueError, TypeError):
            continue
    return found

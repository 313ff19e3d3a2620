"""django-otp's module-level API: log a device in, find devices, match tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .middleware import OTPUser, attach
from .session import record_verification
from .session_keys import rotate_session_key

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Device

__all__ = ["devices_for_user", "login", "match_token", "user_has_device", "verify_token"]


def login(
    request: HttpRequest, device: Device, *, passwordless: bool = False, at: float | None = None
) -> None:
    """Record that ``device`` verified this session and rotate the session key.

    The key is rotated unless it was already in this request (by Django's
    ``login()`` just before, as in a sign-in): one new key per privilege change.

    The user must already be logged in with Django's ``login()``. Several
    calls with different devices record several verifications.
    ``passwordless``: the device signed the user in alone (a passkey with
    user verification), so it stands for both factors.
    ``at``: when the device was verified, if not now (a remembered browser
    stands for the verification it remembers, not a fresh one).
    """
    from . import browsers, signals

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.pk != device.user_id:
        raise ValueError("otp_core.login() needs the device's owner logged in on the request.")
    # A new privilege level gets a new session id (no session fixation), once:
    # not again when Django's login() has just drawn one in this request.
    rotate_session_key(request)
    record_verification(request.session, device, at=at, passwordless=passwordless)
    browsers.note_change(request)  # this browser's row, at the end of the request
    if isinstance(user, OTPUser):
        user.otp_device = device  # type: ignore[misc]  # OTPUser.__setattr__ stores it
        request.otp.invalidate()  # type: ignore[attr-defined]
    else:
        attach(request, user)
    signals.otp_login.send(type(device), request=request, user=user, device=device)


def devices_for_user(user: Any, confirmed: bool | None = True) -> list[Device]:
    """Every device of ``user`` across installed device models.

    One query per device model, once per user object: the login and profile
    pages ask for the default device, the backup devices and the other
    methods of the same user, and share one listing (:mod:`otp_core.listing`).
    A secret is decrypted only when a caller reads it (``SealedSecret``).
    """
    from .listing import cached_listing

    if user is None or getattr(user, "is_anonymous", True):
        return []
    return cached_listing(user, confirmed, _fetch_devices)


def _fetch_devices(user: Any, confirmed: bool | None) -> list[Device]:
    from django.db import connections

    from .built_queries import db_value, model_rows
    from .models import DeviceManager, device_classes

    # Registry order, then creation order within a model: without ORDER BY,
    # PostgreSQL returns a row moved by an UPDATE after the others, and the
    # device asked first would change with the last sign-in.
    devices: list[Device] = []
    for model in device_classes():
        manager = model._default_manager
        own = getattr(type(manager), "devices_for_user", None)
        if own is not None and own is not DeviceManager.devices_for_user:
            # The model's own listing: asked as it is, every time.
            devices.extend(manager.devices_for_user(user, confirmed=confirmed).order_by("pk"))
            continue
        alias = manager.db
        params = [db_value(model, "user", user.pk, connections[alias])]

        def build(manager: Any = manager) -> Any:
            return manager.filter(user=user).order_by("pk")

        rows = model_rows(("devices of a user", model), build, params, using=alias)
        # DeviceManager.devices_for_user()'s confirmation filter, here: the
        # ORM writes a boolean test into the SQL text, not as a value.
        keep = own is None or confirmed is None
        devices.extend(row for row, _ in rows if keep or row.confirmed == bool(confirmed))  # type: ignore[attr-defined]
    return devices


def user_has_device(user: Any, confirmed: bool | None = True) -> bool:
    """Does ``user`` have at least one (confirmed) device?"""
    from .models import device_classes

    if user is None or getattr(user, "is_anonymous", True):
        return False
    for model in device_classes():
        qs = model._default_manager.filter(user=user)
        if confirmed is not None:
            qs = qs.filter(confirmed=bool(confirmed))
        if qs.exists():
            return True
    return False


def match_token(user: Any, token: str, request: HttpRequest | None = None) -> Device | None:
    """The first of ``user``'s confirmed devices that accepts ``token``, or None.

    Unlike django-otp, a token that no device accepts counts one failure, on
    the user's account, not one on every device
    (:func:`otp_core.any_device.verify_any`).
    """
    from .any_device import verify_any

    device, _result = verify_any(devices_for_user(user), token, request=request)
    return device


def verify_token(
    user: Any, device_id: str, token: str, request: HttpRequest | None = None
) -> Device | None:
    """Check ``token`` against one device of ``user`` given its persistent id."""
    from .models import Device as Base

    device = Base.from_persistent_id(device_id)
    if device is None or device.user_id != getattr(user, "pk", None) or not device.confirmed:
        return None
    return device if device.verify_token(token, request=request) else None

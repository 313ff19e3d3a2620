"""``OTPMiddleware``: second-factor state on every request, loaded lazily.

It works in sync and async stacks alike: it only wraps ``request.user`` (no
query), so under ASGI it runs on the event loop without a thread switch.
After the view it writes this browser's row (:mod:`otp_core.browsers`) when
the request changed it: one statement, none on most requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from .browsers import _PENDING, defer_writes, flush
from .session import OTPState
from .session_keys import note_incoming_key

__all__ = ["OTPMiddleware", "OTPUser", "attach"]


class OTPUser(SimpleLazyObject):
    """``request.user`` with django-otp's ``otp_device`` and ``is_verified()``.

    Everything else is the wrapped user. The two OTP members read the
    request's :class:`OTPState`, so a request that never asks about the second
    factor costs no query.
    """

    def __init__(self, func: Callable[[], Any], state: OTPState) -> None:
        super().__init__(func)
        self.__dict__["_otp_state"] = state

    @property
    def otp_device(self) -> Any:
        # A device assigned on this request (a form that has just verified it,
        # as with django-otp) wins over the session's newest verification.
        assigned = self.__dict__.get("_otp_device", empty)
        return self.__dict__["_otp_state"].device if assigned is empty else assigned

    def __setattr__(self, name: str, value: Any) -> None:
        # LazyObject forwards every assignment to the wrapped user, which a
        # property setter here would never see.
        if name == "otp_device":
            self.__dict__["_otp_device"] = value
            self.__dict__["_otp_state"].invalidate()
        else:
            super().__setattr__(name, value)

    def is_verified(self) -> bool:
        return self.__dict__["_otp_state"].is_verified()

    async def ais_verified(self) -> bool:
        """:meth:`is_verified` for async code (the session's devices are read in a thread)."""
        return await sync_to_async(self.is_verified)()


class OTPMiddleware:
    """Must come after ``AuthenticationMiddleware`` (system check ``otp_core.E002``)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        user = getattr(request, "user", None)
        if user is not None:
            attach(request, user)
            defer_writes(request)
        response = self.get_response(request)
        flush(request, final=True)  # this browser's row, once, if the request changed it
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None:
            attach(request, user)  # lazy: nothing here touches the database
            defer_writes(request)
        response = await self.get_response(request)
        if _PENDING in request.__dict__:  # a write: in a thread, as database access must be
            await sync_to_async(flush)(request, final=True)
        else:
            flush(request, final=True)
        return response


def attach(request: HttpRequest, user: Any) -> OTPState:
    """Put a fresh :class:`OTPState` on ``request`` and wrap ``user`` with it."""
    note_incoming_key(request)  # before any login in this request cycles it
    state = OTPState(request, user)
    request.otp = state  # type: ignore[attr-defined]
    request.user = OTPUser(lambda: _unwrap(user), state)
    return state


def _unwrap(user: Any) -> Any:
    # AuthenticationMiddleware's own lazy object: evaluate it once, then wrap
    # the real user rather than a proxy of a proxy.
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user

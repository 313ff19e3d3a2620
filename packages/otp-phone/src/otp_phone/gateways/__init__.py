"""Gateways deliver codes: a base class, loading from settings, and delivery.

``TWO_FACTOR_SMS_GATEWAY`` and ``TWO_FACTOR_CALL_GATEWAY`` name a gateway
class by dotted path or by a name registered in the ``otp_phone.gateways``
entry point group, so a third party's distribution can add one::

    [project.entry-points."otp_phone.gateways"]
    myprovider = "myprovider_otp.gateway:MyGateway"
"""

from __future__ import annotations

import functools
import logging
from importlib import metadata
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ..conf import phone_settings
from ..exceptions import GatewayError

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ..models import PhoneDevice

__all__ = [
    "ENTRY_POINT_GROUP",
    "Gateway",
    "GatewayError",
    "deliver",
    "gateway_for",
    "load_gateway_class",
]

ENTRY_POINT_GROUP = "otp_phone.gateways"

logger = logging.getLogger("otp_phone")


class Gateway:
    """Base of every gateway; one instance serves one delivery.

    ``request`` is the request that asked for the code (or None). Callback
    URLs are built from ``OTP_PHONE_CALLBACK_BASE_URL``, never from it.
    """

    #: Does a call through this gateway fetch a URL of this site (Twilio's TwiML)?
    #: Then ``OTP_PHONE_CALLBACK_BASE_URL`` is required (check otp_phone.E010).
    needs_callback_url: bool = False

    def __init__(self, request: HttpRequest | None = None) -> None:
        self.request = request

    def send_sms(self, device: PhoneDevice, token: str) -> None:
        """Text ``token`` to ``device.number``; raise :class:`GatewayError` on failure."""
        raise GatewayError(f"{type(self).__name__} cannot send text messages.")

    def make_call(self, device: PhoneDevice, token: str) -> None:
        """Call ``device.number`` and read ``token`` out; raise :class:`GatewayError`."""
        raise GatewayError(f"{type(self).__name__} cannot make phone calls.")


@functools.lru_cache(maxsize=32)
def load_gateway_class(name: str) -> type:
    """The gateway class for a setting value: an entry point name or a dotted path.

    django-two-factor-auth's dotted paths load ours (:mod:`.legacy`).
    """
    from .legacy import current_name

    name = current_name(name)
    if "." not in name:
        found = [ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not found:
            raise ImproperlyConfigured(
                f"No otp_phone gateway named {name!r} is installed "
                f"(entry point group {ENTRY_POINT_GROUP!r})."
            )
        try:
            return found[0].load()
        except Exception as exc:
            raise ImproperlyConfigured(
                f"The otp_phone gateway {name!r} failed to load: {exc}"
            ) from exc
    try:
        return import_string(name)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"The otp_phone gateway {name!r} cannot be imported: {exc}"
        ) from exc


def setting_for(method: str) -> str:
    return "TWO_FACTOR_CALL_GATEWAY" if method == "call" else "TWO_FACTOR_SMS_GATEWAY"


def configured(method: str) -> bool:
    """Is a gateway configured for ``method`` ("sms" or "call")?"""
    return bool(getattr(phone_settings, setting_for(method)))


def gateway_for(method: str, request: HttpRequest | None = None) -> Any:
    """An instance of the gateway configured for ``method``."""
    setting = setting_for(method)
    name = getattr(phone_settings, setting)
    if not name:
        raise GatewayError(f"{setting} is not set: cannot deliver codes by {method}.")
    cls = load_gateway_class(str(name))
    try:
        return cls(request=request)
    except TypeError:
        # A gateway class written without the request argument.
        return cls()


def deliver(device: PhoneDevice, token: str, request: HttpRequest | None = None) -> None:
    """Send ``token`` the device's way; any failure becomes a logged :class:`GatewayError`."""
    try:
        gateway = gateway_for(device.method, request)
        if device.method == "call":
            gateway.make_call(device=device, token=token)
        else:
            gateway.send_sms(device=device, token=token)
    except GatewayError as exc:
        logger.warning(
            "Delivery by %s to phone device %s failed: %s", device.method, device.persistent_id, exc
        )
        raise
    except Exception as exc:
        logger.warning(
            "Delivery by %s to phone device %s failed: %s",
            device.method,
            device.persistent_id,
            type(exc).__name__,
        )
        raise GatewayError(
            f"The code of phone device {device.persistent_id} could not be sent "
            f"({type(exc).__name__})."
        ) from None

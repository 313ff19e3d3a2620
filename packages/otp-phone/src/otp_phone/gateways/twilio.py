"""Twilio: text messages through the Messages API, calls that fetch TwiML from us.

Needs the ``twilio`` client (``pip install otp-phone[twilio]``) and the
settings ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_CALLER_ID``
and optionally ``TWILIO_MESSAGING_SERVICE_SID``. For calls, include
``otp_phone.urls`` in the site's URLs: Twilio fetches what to say from there.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext

from ..callsigning import sign_call
from ..conf import phone_settings
from ..exceptions import GatewayError
from . import Gateway

if TYPE_CHECKING:
    from ..models import PhoneDevice

__all__ = ["Twilio"]

logger = logging.getLogger("otp_phone")


class Twilio(Gateway):
    """Sends text messages and places calls with the official Twilio client."""

    needs_callback_url = True

    def get_client(self) -> Any:
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        sid = phone_settings.TWILIO_ACCOUNT_SID
        token = phone_settings.TWILIO_AUTH_TOKEN
        if not sid or not token:
            raise GatewayError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set.")
        client = Client(
            sid,
            token,
            http_client=TwilioHttpClient(
                timeout=float(phone_settings.TWILIO_TIMEOUT), pool_connections=False
            ),
        )
        base_url = phone_settings.TWILIO_API_BASE_URL
        if base_url:
            # The Api domain's base URL is what the client builds request URLs from.
            client.api.base_url = str(base_url).rstrip("/")
        return client

    def send_sms(self, device: PhoneDevice, token: str) -> None:
        body = gettext("Your verification code is: %(token)s") % {"token": token}
        kwargs: dict[str, Any] = {"to": str(device.number), "body": body}
        if phone_settings.TWILIO_MESSAGING_SERVICE_SID:
            kwargs["messaging_service_sid"] = phone_settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            kwargs["from_"] = phone_settings.TWILIO_CALLER_ID
        self._call_api(device, "messages", kwargs)

    def make_call(self, device: PhoneDevice, token: str) -> None:
        url = self.callback_url(sign_call(device, token))
        # POST (Twilio's default, said outright): the view checks the
        # X-Twilio-Signature over this URL and the call's form parameters.
        kwargs = {
            "to": str(device.number),
            "from_": phone_settings.TWILIO_CALLER_ID,
            "url": url,
            "method": "POST",
        }
        self._call_api(device, "calls", kwargs)

    @staticmethod
    def callback_url(signed: str) -> str:
        """Absolute URL of the TwiML view for this call (never logged).

        Built from ``OTP_PHONE_CALLBACK_BASE_URL`` only, never from the
        request: its Host header is chosen by the client, and a URL on
        another host would hand the call's token (and so the code) to that
        host. System check otp_phone.E010 requires the setting.
        """
        path = reverse("otp_phone:twilio_call", args=[signed])
        base = phone_settings.OTP_PHONE_CALLBACK_BASE_URL
        if not base:
            raise ImproperlyConfigured(
                "Set OTP_PHONE_CALLBACK_BASE_URL: Twilio's calls fetch what to say from it."
            )
        return str(base).rstrip("/") + path

    def _call_api(self, device: PhoneDevice, resource: str, kwargs: dict[str, Any]) -> None:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        client = self.get_client()
        try:
            getattr(client, resource).create(**kwargs)
        except TwilioRestException as exc:
            # Status and Twilio's error code only: its message may quote the request.
            raise GatewayError(
                f"Twilio refused the request (HTTP {exc.status}, code {exc.code})."
            ) from None
        except (TwilioException, OSError) as exc:
            raise GatewayError(f"Twilio could not be reached ({type(exc).__name__}).") from None
        except Exception as exc:  # requests' timeouts and connection errors
            raise GatewayError(f"Twilio could not be reached ({type(exc).__name__}).") from None

"""Backup phone views (add, remove) and the TwiML view Twilio's calls fetch."""

from __future__ import annotations

import logging
from typing import Any
from xml.sax.saxutils import escape

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from otp_core.access import sensitive_policy
from otp_core.form_a11y import describe_errors, focus_answer
from otp_core.mixins import OTPRequiredMixin
from otp_core.page_base import base_template
from otp_core.removal import remove_device
from otp_core.setup_challenge import resend_status
from otp_core.views_security import protect_page

from .callsigning import InvalidCallToken, consume_call
from .conf import phone_settings
from .forms import PhoneConfirmStep, PhoneNumberStep
from .models import PhoneDevice

__all__ = ["PhoneDeleteView", "PhoneSetupView", "TwilioCallView"]

logger = logging.getLogger("otp_phone")

SESSION_KEY = "otp_phone_setup"


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _has_messages(request: HttpRequest) -> bool:
    """Is django.contrib.messages set up for this request?"""
    return hasattr(request, "_messages")


@method_decorator(protect_page, name="dispatch")
class PhoneSetupView(LoginRequiredMixin, OTPRequiredMixin, View):
    """Add a backup phone: number and method, then the code that was sent to it."""

    template_name = "otp_phone/setup.html"
    device_name = "backup"
    success_url = "/"

    def get_policy(self) -> Any:
        # Adding a factor is sensitive: the UI's sudo mode, when one is installed.
        return sensitive_policy()

    def get_success_url(self) -> str:
        return _next_url(self.request, self.success_url)

    def _state(self) -> dict[str, Any]:
        state = self.request.session.get(SESSION_KEY)
        return state if isinstance(state, dict) else {"name": self.device_name}

    def _form(self, state: dict[str, Any], data: Any = None) -> Any:
        cls = PhoneConfirmStep if state.get("otp_phone_device") else PhoneNumberStep
        return cls(data, user=self.request.user, request=self.request, state=state)

    def _render(
        self,
        form: Any,
        state: dict[str, Any],
        challenge: Any = None,
        resend_status: dict[str, Any] | None = None,
    ) -> HttpResponse:
        describe_errors(form)
        focus_answer(form)
        context = {
            "form": form,
            "state": state,
            "challenge": challenge,
            "resend_status": resend_status,
            "can_resend": callable(getattr(form, "resend", None)),
            "next": _next_url(self.request, ""),
            "cancel_url": self.get_success_url(),
            # two-factor-ui's page when it is installed, otp-core's plain one otherwise.
            "base_template": base_template(),
            **form.get_context(),
        }
        return render(self.request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        # GET changes nothing (a link or an <img> on another site could send
        # it); "Use another number" is a POST with a CSRF token.
        state = self._state()
        return self._render(self._form(state), state)

    def post(self, request: HttpRequest) -> HttpResponse:
        state = self._state()
        if request.POST.get("restart"):
            request.session.pop(SESSION_KEY, None)
            return redirect(request.path)
        if request.POST.get("resend"):
            return self._resend(state)
        form = self._form(state, request.POST)
        if not form.is_valid():
            return self._render(form, state)
        device = form.save()
        if device is not None:
            request.session.pop(SESSION_KEY, None)
            return redirect(self.get_success_url())
        request.session[SESSION_KEY] = state
        # Show the next step (enter the code) with what the first step sent.
        return self._render(self._form(state), state, challenge=getattr(form, "challenge", None))

    def _resend(self, state: dict[str, Any]) -> HttpResponse:
        """Send the pending number a new code ("Send again"), within the same budgets."""
        form = self._form(state)
        status = resend_status(form)
        if status is None:
            return self._render(form, state)
        return self._render(form, state, resend_status=status)


@method_decorator(protect_page, name="dispatch")
class PhoneDeleteView(LoginRequiredMixin, OTPRequiredMixin, View):
    """Remove one of the user's own phone devices (POST only, CSRF-protected)."""

    http_method_names = ["post"]
    success_url = "/"

    def get_policy(self) -> Any:
        # Removing a factor is sensitive: the UI's sudo mode, when one is installed.
        return sensitive_policy()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        device = get_object_or_404(PhoneDevice, pk=pk, user=request.user)
        verified = getattr(request.user, "otp_device", None)
        target = _next_url(request, self.success_url)
        if verified is not None and verified.persistent_id == device.persistent_id:
            # Removing the phone this session was verified with would log the user out
            # of two-factor in the middle of the request; refuse it.
            refusal = gettext("You cannot remove the phone you signed in with.")
            if not _has_messages(request):
                return HttpResponseForbidden(refusal)
            messages.error(request, refusal)
            return redirect(target)
        remove_device(device, request=request)
        if _has_messages(request):
            messages.success(request, gettext("The phone number was removed."))
        return redirect(target)


def _twilio_signed_url(request: HttpRequest, token: str) -> str:
    """The URL Twilio signed: the one the gateway gave it, plus any query string.

    It is rebuilt as the gateway built it (from ``OTP_PHONE_CALLBACK_BASE_URL``,
    never the request's host) rather than from ``request.get_full_path()``,
    which re-escapes characters such as ``=`` that Twilio signed unescaped.
    """
    from .gateways.twilio import Twilio

    url = Twilio.callback_url(token)
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def _twilio_signature_refusal(request: HttpRequest, token: str) -> str | None:
    """Why the request is not signed by Twilio with our auth token, or ``None``.

    Only the reason is returned (and logged): never the URL, its token or a code.
    """
    auth_token = phone_settings.TWILIO_AUTH_TOKEN
    if not auth_token or not phone_settings.OTP_PHONE_VALIDATE_TWILIO_SIGNATURE:
        return None
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return "no X-Twilio-Signature header"
    try:
        from twilio.request_validator import RequestValidator
    except ImportError:
        return "the twilio client is not installed, so the signature cannot be checked"
    # Twilio signs the full URL (with the query string it adds to GET requests)
    # and, for POST, the sorted form parameters.
    params = request.POST if request.method == "POST" else {}
    try:
        valid = RequestValidator(str(auth_token)).validate(
            _twilio_signed_url(request, token), params, signature
        )
    except (ValueError, TypeError, UnicodeError):  # e.g. an out-of-range port
        valid = False
    except ImproperlyConfigured:
        return "OTP_PHONE_CALLBACK_BASE_URL is not set"
    return None if valid else "a wrong X-Twilio-Signature"


@method_decorator(csrf_exempt, name="dispatch")
class TwilioCallView(View):
    """TwiML for a voice call: says the code, digit by digit, twice.

    The code comes from the signed, expiring, single-use token in the URL;
    nothing here is logged. A bad, expired or already fetched token, or a
    code no longer pending, gets 403;
    so does a request without a valid ``X-Twilio-Signature`` while
    ``TWILIO_AUTH_TOKEN`` is set (unless ``OTP_PHONE_VALIDATE_TWILIO_SIGNATURE``
    is off).
    """

    http_method_names = ["get", "post"]

    def _respond(self, request: HttpRequest, token: str) -> HttpResponse:
        refusal = _twilio_signature_refusal(request, token)
        if refusal is not None:
            logger.warning(
                "Refused a Twilio call request from %s: %s.",
                request.META.get("REMOTE_ADDR", "?"),
                refusal,
            )
            return HttpResponseForbidden("", content_type="text/plain")
        try:
            code = consume_call(token)
        except InvalidCallToken:
            return HttpResponseForbidden("", content_type="text/plain")
        digits = ", ".join(code)
        text = gettext("Your verification code is: %(digits)s. Once again: %(digits)s.") % {
            "digits": digits
        }
        language = escape(get_language() or "en", {'"': "&quot;"})
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Response><Say language="{language}">{escape(text)}</Say></Response>'
        )
        response = HttpResponse(body, content_type="text/xml; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._respond(request, token)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._respond(request, token)

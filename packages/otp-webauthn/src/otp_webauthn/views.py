"""The JSON ceremonies: POST only, CSRF protected (the script sends the
``X-CSRFToken`` header), never cached, a JSON 4xx with a stable error code
for every refusal and for any body (malformed, wrong types, too large).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from . import ceremonies
from .conf import setting
from .errors import CODES, CeremonyError

__all__ = [
    "authenticate_begin",
    "authenticate_complete",
    "register_begin",
    "register_complete",
    "signup_begin",
    "signup_complete",
]


def error_response(code: str, detail: Any = None) -> JsonResponse:
    status, message = CODES[code]
    data: dict[str, Any] = {"error": code, "message": str(message)}
    if detail:
        data["detail"] = [str(d) for d in detail]
    return JsonResponse(data, status=status)


def _read_json(request: HttpRequest) -> Any:
    """The request's JSON body, at most ``OTP_WEBAUTHN_MAX_BODY_SIZE`` bytes."""
    limit = int(setting("OTP_WEBAUTHN_MAX_BODY_SIZE"))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise CeremonyError("malformed") from exc
    if length > limit:
        raise CeremonyError("too_large")
    if length <= 0:
        return {}
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise CeremonyError("too_large")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise CeremonyError("malformed") from exc


def ceremony(handler: Callable[[HttpRequest, Any], dict[str, Any]]) -> Callable[..., Any]:
    """A JSON view: POST only, CSRF checked, not cached, refusals as JSON 4xx."""

    @wraps(handler)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if request.method != "POST":
            response = JsonResponse(
                {"error": "method_not_allowed", "message": "POST only."}, status=405
            )
            response["Allow"] = "POST"
            return response
        try:
            body = _read_json(request)
            return JsonResponse(handler(request, body))
        except CeremonyError as exc:
            return error_response(exc.code, exc.detail)

    return never_cache(csrf_protect(view))


def _safe_redirect(request: HttpRequest, body: Any) -> str:
    """The ``next`` the body names when it is this site's, else LOGIN_REDIRECT_URL."""
    target = body.get("next") if isinstance(body, dict) else None
    if isinstance(target, str) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    try:
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    except NoReverseMatch:
        return "/"


def _device_json(device: Any) -> dict[str, Any]:
    return {
        "id": device.persistent_id,
        "name": device.name,
        "kind": device.factor_kind,
        "synced": device.backup_eligible,
    }


@ceremony
def register_begin(request: HttpRequest, body: Any) -> dict[str, Any]:
    return ceremonies.registration_options(request, request.user)


@ceremony
def register_complete(request: HttpRequest, body: Any) -> dict[str, Any]:
    device = ceremonies.complete_registration(request, request.user, body)
    return {"ok": True, "device": _device_json(device)}


@ceremony
def authenticate_begin(request: HttpRequest, body: Any) -> dict[str, Any]:
    return ceremonies.authentication_options(request)


@ceremony
def authenticate_complete(request: HttpRequest, body: Any) -> dict[str, Any]:
    import otp_core

    pending = request.session.get(ceremonies.challenges.SESSION_KEY)
    entry = pending.get("authenticate") if isinstance(pending, dict) else None
    mode = entry.get("mode") if isinstance(entry, dict) else None
    if mode == "passkey" and not request.user.is_authenticated:
        _user, device = ceremonies.complete_passkey(request, body)
    else:
        device = ceremonies.complete_second_factor(request, request.user, body)
        otp_core.login(request, device)
    return {"ok": True, "device": _device_json(device), "redirect": _safe_redirect(request, body)}


@ceremony
def signup_begin(request: HttpRequest, body: Any) -> dict[str, Any]:
    return ceremonies.signup_options(request, body)


@ceremony
def signup_complete(request: HttpRequest, body: Any) -> dict[str, Any]:
    _user, device = ceremonies.complete_signup(request, body)
    return {"ok": True, "device": _device_json(device), "redirect": _safe_redirect(request, body)}

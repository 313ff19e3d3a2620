"""The QR code of the set-up in progress, as an image of its own.

The image shows the ``otpauth_url`` the current set-up step puts in its
context; without a set-up in progress (no pending key) there is nothing to
show and the answer is 404, never a fresh key.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse
from django.utils.decorators import method_decorator
from django.views.generic import View

from otp_core.mixins import SignedInRequiredMixin
from otp_core.views_security import protect_page

from ..methods import setup_methods
from .setup import STEP_SEPARATOR, SetupView, pending_state

__all__ = ["QRGeneratorView", "pending_otpauth_url"]


def pending_otpauth_url(request: Any) -> str | None:
    """The ``otpauth://`` URI of this session's unfinished set-up, if any."""
    method, state = pending_state(request)
    if not state:
        return None
    data = request.session.get(f"wizard_{SetupView.wizard_prefix}") or {}
    step = str(data.get("step") or "")
    methods = {p.name: p for p in setup_methods()}
    if method is None and len(methods) == 1:
        method = next(iter(methods))
    plugin = methods.get(str(method)) if method else None
    name, _, index = step.rpartition(STEP_SEPARATOR)
    if plugin is None or name != plugin.name or not index.isdigit():
        return None
    form_classes = plugin.get_setup_forms()
    if int(index) >= len(form_classes):
        return None
    probe = copy.deepcopy(state)
    form = form_classes[int(index)](user=request.user, request=request, state=probe)
    if probe != state:
        return None  # the step had to invent something: nothing was pending
    url = form.get_context().get("otpauth_url")
    return str(url) if url else None


@method_decorator(protect_page, name="dispatch")
class QRGeneratorView(SignedInRequiredMixin, View):
    """GET: the pending set-up's QR code (SVG by default, TWO_FACTOR_QR_FACTORY)."""

    http_method_names = ["get", "head"]

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        url = pending_otpauth_url(request)
        if not url:
            raise Http404("No set-up in progress.")
        try:
            from otp_core.qr import render_qr
        except ImportError:
            raise Http404("QR codes are not available.") from None
        try:
            image = render_qr(url)
        except ImproperlyConfigured:
            raise Http404("QR codes are not available.") from None
        response = HttpResponse(image.content, content_type=image.content_type)
        response["Cache-Control"] = "no-store"
        return response

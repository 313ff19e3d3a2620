"""Managing one's own keys from the account page: rename and remove (POST, CSRF)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views import View

from otp_core.form_a11y import describe_errors
from otp_core.mixins import OTPRequiredMixin
from otp_core.page_base import base_template
from otp_core.removal import remove_device
from otp_core.views_security import protect_page

from .forms import KeyNameForm
from .models import WebAuthnDevice

__all__ = ["KeyRemoveView", "KeyRenameView"]


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _tell(request: HttpRequest, level: int, text: str) -> None:
    if hasattr(request, "_messages"):
        messages.add_message(request, level, text)


class _OwnKey(LoginRequiredMixin, OTPRequiredMixin, View):
    """One key of the signed-in, verified user; another user's key is a 404."""

    def key(self, request: HttpRequest, pk: int) -> WebAuthnDevice:
        return get_object_or_404(WebAuthnDevice, pk=pk, user=request.user)


@method_decorator(protect_page, name="dispatch")
class KeyRenameView(_OwnKey):
    """A form with the key's name. The account page's button posts without a
    name, which shows the form; posting a name saves it."""

    http_method_names = ["get", "post"]
    template_name = "otp_webauthn/rename.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        device = self.key(request, pk)
        form = KeyNameForm(initial={"name": device.name})
        return self._page(request, device, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        device = self.key(request, pk)
        if "name" not in request.POST:
            return self._page(request, device, KeyNameForm(initial={"name": device.name}))
        form = KeyNameForm(request.POST)
        if not form.is_valid():
            return self._page(request, device, form, status=400)
        device.name = form.cleaned_data["name"].strip()
        device.save(update_fields=["name"])
        _tell(request, messages.SUCCESS, gettext("The key was renamed."))
        return HttpResponseRedirect(_next_url(request))

    def _page(self, request: HttpRequest, device: Any, form: Any, status: int = 200) -> Any:
        describe_errors(form)
        context = {
            "device": device,
            "form": form,
            "next": _next_url(request),
            # two-factor-ui's page when it is installed, otp-core's plain one otherwise.
            "base_template": base_template(),
        }
        return render(request, self.template_name, context, status=status)


@method_decorator(protect_page, name="dispatch")
class KeyRemoveView(_OwnKey):
    """Remove a key through ``otp_core.removal.remove_device`` (announced once).

    Not the key this session was verified with: that would end the session's
    second factor in the middle of the request (sign in with another method first).
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        device = self.key(request, pk)
        verified = getattr(request.user, "otp_device", None)
        if verified is not None and verified.persistent_id == device.persistent_id:
            refusal = gettext(
                "You cannot remove the key you signed in with. Sign in with another method first."
            )
            if not hasattr(request, "_messages"):
                return HttpResponseForbidden(refusal)
            messages.error(request, refusal)
            return HttpResponseRedirect(_next_url(request))
        remove_device(device, request=request)
        _tell(request, messages.SUCCESS, gettext("The key was removed."))
        return HttpResponseRedirect(_next_url(request))

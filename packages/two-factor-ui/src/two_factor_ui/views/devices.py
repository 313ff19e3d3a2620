"""Managing one method from the account page: remove, rename, ask first.

Each view takes the device by its persistent id (``device``, a GET or POST
parameter) and acts only on a confirmed device of the signed-in user; any
other id is a 404. Changes are POST only, with a CSRF token.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from otp_core.removal import remove_device
from otp_core.views_security import protect_page

from ..a11y import describe_errors
from ..methods import device_from_id, is_backup, primary_devices, set_default_device
from .mixins import VerifiedUserRequiredMixin

__all__ = [
    "DefaultDeviceView",
    "DeviceRemoveView",
    "DeviceRenameView",
    "can_make_default",
    "can_rename",
    "session_device_ids",
]

PROFILE = "two_factor:profile"


def session_device_ids(request: Any) -> set[str]:
    """Persistent ids of the devices that verified this session."""
    from otp_core.session import stored_verifications

    return {v.device_id for v in stored_verifications(request.session)}


def can_rename(device: Any) -> bool:
    """Renaming is offered for primary devices not added as a backup.

    A backup phone is known by its name ("backup"), so a new name would
    make it a primary one; recovery codes need no name.
    """
    return not is_backup(device) and not device.added_as_backup()


def can_make_default(device: Any) -> bool:
    """Only a primary device not added as a backup can be the one asked first."""
    return not is_backup(device) and not device.added_as_backup()


def _notify(request: Any, level: int, text: str) -> None:
    if hasattr(request, "_messages"):
        messages.add_message(request, level, text)


class _DeviceView(VerifiedUserRequiredMixin, View):
    """Finds the user's device named by the ``device`` parameter (404 otherwise)."""

    def get_device(self) -> Any:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        device = device_from_id(self.request.user, source.get("device"))
        if device is None:
            raise Http404("No such device.")
        return device

    def back(self) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse(PROFILE))


@method_decorator(protect_page, name="dispatch")
class DeviceRemoveView(_DeviceView):
    """Remove one method after a confirmation page.

    The last primary method cannot go alone: its removal is turning
    two-factor off (the disable page). The method this session was verified
    with cannot be removed from that session.
    """

    template_name = "two_factor/profile/remove.html"

    def _cannot_remove(self, device: Any) -> Any:
        if not is_backup(device) and primary_devices(self.request.user) == [device]:
            return HttpResponseRedirect(reverse("two_factor:disable"))
        if device.persistent_id in session_device_ids(self.request):
            _notify(
                self.request,
                messages.ERROR,
                gettext(
                    "You signed in with this method, so it cannot be removed now. "
                    "Sign in with another method first."
                ),
            )
            return self.back()
        return None

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        device = self.get_device()
        refusal = self._cannot_remove(device)
        if refusal is not None:
            return refusal
        return TemplateResponse(
            request, self.template_name, {"device": device, "backup": is_backup(device)}
        )

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        device = self.get_device()
        refusal = self._cannot_remove(device)
        if refusal is not None:
            return refusal
        label = device.display_label()
        remove_device(device, request=request)
        _notify(request, messages.SUCCESS, gettext("Removed: %(label)s.") % {"label": label})
        return self.back()


class RenameForm(forms.Form):
    name = forms.CharField(
        label=_("New name"),
        max_length=64,
        help_text=_("So you can tell your methods apart, e.g. “Work phone”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        # "default" and "backup" mean something (django-two-factor-auth's
        # phones: a backup phone is never asked first); not a name to choose.
        if name.casefold() in {"", "default", "backup"}:
            raise forms.ValidationError(_("Please choose another name."), code="reserved")
        return name


@method_decorator(protect_page, name="dispatch")
class DeviceRenameView(_DeviceView):
    """Give a method a name of the user's choosing."""

    template_name = "two_factor/profile/rename.html"

    def get_device(self) -> Any:
        device = super().get_device()
        if not can_rename(device):
            raise Http404("This device cannot be renamed.")
        return device

    def render(self, device: Any, form: Any, status: int = 200) -> Any:
        describe_errors(form)
        return TemplateResponse(
            self.request, self.template_name, {"device": device, "form": form}, status=status
        )

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        device = self.get_device()
        return self.render(device, RenameForm(initial={"name": device.custom_name()}))

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        device = self.get_device()
        form = RenameForm(request.POST)
        if not form.is_valid():
            return self.render(device, form, status=400)
        device.name = form.cleaned_data["name"]
        device.save(update_fields=["name"])
        _notify(
            request,
            messages.SUCCESS,
            gettext("Renamed: %(label)s.") % {"label": device.display_label()},
        )
        return self.back()


@method_decorator(protect_page, name="dispatch")
class DefaultDeviceView(_DeviceView):
    """Ask for this method first when signing in (POST only)."""

    http_method_names = ["post", "options"]

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        device = self.get_device()
        if not can_make_default(device):
            raise Http404("Backup codes and backup phones are never asked for first.")
        set_default_device(request.user, device)
        _notify(
            request,
            messages.SUCCESS,
            gettext("%(label)s will be asked for first when you sign in.")
            % {"label": device.display_label()},
        )
        return self.back()

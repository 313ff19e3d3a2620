"""The account's two-factor overview, and turning two-factor off."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.views.generic import FormView, TemplateView

from otp_core import plugins as registry
from otp_core.mixins import SignedInRequiredMixin
from otp_core.removal import disable_two_factor
from otp_core.session import PASSWORD_ID
from otp_core.views_security import protect_page

from .. import remember
from ..a11y import describe_errors
from ..assurance import KIND_NAMES
from ..forms import DisableForm
from ..methods import (
    backup_devices,
    backup_plugin,
    default_device,
    primary_devices,
    remaining_codes,
    setup_methods,
    user_devices,
)
from ..plugin_hooks import device_details
from .backup import _is_low
from .devices import can_make_default, can_rename, session_device_ids
from .mixins import OTPRequiredMixin

__all__ = [
    "DEVICE_ACTIONS",
    "PROFILE_LINKS",
    "DisableView",
    "ProfileView",
    "device_actions",
    "plugin_links",
]


#: ``Plugin.options`` key: ``[(label, url name or path), ...]``, links shown on the
#: profile page of a user with two-factor enabled, whether or not that user has a
#: device of the plugin yet (e.g. "Add a backup phone number").
PROFILE_LINKS = "profile_links"
#: ``Plugin.options`` key: ``[(label, url name), ...]``, actions on one device,
#: each reversed with ``kwargs={"pk": device.pk}`` and rendered as a POST form
#: button with a CSRF token and ``next`` (the profile page), e.g. "Remove".
DEVICE_ACTIONS = "device_actions"


def _ago(moment: datetime.datetime) -> str:
    """ "just now", or "5 minutes ago"."""
    if timezone.now() - moment < datetime.timedelta(minutes=1):
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(moment)}


def _factor_label(device_id: str, kind: str, labels: dict[str, str]) -> str:
    """How the browser list names one verification: the device's label, else its kind."""
    if device_id == PASSWORD_ID:
        return gettext("Password")
    if device_id in labels:
        return labels[device_id]
    name = KIND_NAMES.get(kind)
    return str(name) if name is not None else kind


def _pairs(plugin: Any, key: str) -> list[tuple[Any, str]]:
    pairs = []
    for entry in plugin.options.get(key, ()) if plugin else ():
        try:
            label, target = entry
        except (TypeError, ValueError):
            continue
        pairs.append((label, str(target)))
    return pairs


def plugin_links(plugin: Any, next_url: str = "") -> list[dict[str, str]]:
    """Links a plugin offers on the profile page (``options["profile_links"]``).

    Each entry is ``(label, url name or path)``; names that do not reverse
    are left out. ``next_url`` is added as the ``next`` query parameter.
    """
    links = []
    for label, target in _pairs(plugin, PROFILE_LINKS):
        try:
            url = reverse(target)
        except NoReverseMatch:
            if not target.startswith("/"):
                continue
            url = target
        if next_url:
            url += ("&" if "?" in url else "?") + urlencode({"next": next_url})
        links.append({"label": label, "url": url})
    return links


#: Plugin actions the account page offers itself for every device (remove,
#: rename): a plugin action whose URL name ends so is not shown twice.
OWN_ACTIONS = ("remove", "delete", "rename")


def device_actions(plugin: Any, device: Any) -> list[dict[str, str]]:
    """POST actions a plugin offers on one device (``options["device_actions"]``).

    Each entry is ``(label, url name)`` reversed with the device's ``pk``;
    names that do not reverse are left out, and so are removing and renaming,
    which the account page offers for every device.
    """
    actions = []
    for label, name in _pairs(plugin, DEVICE_ACTIONS):
        if name.rpartition(":")[2].rpartition("-")[2] in OWN_ACTIONS:
            continue
        try:
            url = reverse(name, kwargs={"pk": device.pk})
        except NoReverseMatch:
            continue
        actions.append({"label": label, "url": url})
    return actions


@method_decorator(protect_page, name="dispatch")
class ProfileView(SignedInRequiredMixin, TemplateView):
    """What protects this account, with links to change it."""

    template_name = "two_factor/profile/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        first = default_device(user)
        primaries = primary_devices(user)
        signed_in_with = session_device_ids(self.request)
        groups: dict[str, dict[str, Any]] = {}
        for item in user_devices(user):
            key = item.plugin.name if item.plugin else type(item.device)._meta.label
            label = item.plugin.label if item.plugin else type(item.device)._meta.verbose_name
            group = groups.setdefault(key, {"plugin": item.plugin, "label": label, "devices": []})
            device = item.device
            group["devices"].append(
                {
                    "device": device,
                    "label": item.label,
                    "actions": device_actions(item.plugin, device),
                    "details": device_details(item.plugin, device),
                    "is_default": first is not None and device.persistent_id == first.persistent_id,
                    "can_make_default": can_make_default(device) and len(primaries) > 1,
                    "can_rename": can_rename(device),
                    "signed_in_with": device.persistent_id in signed_in_with,
                    # The last primary method goes only by turning two-factor off.
                    "last": primaries == [device],
                }
            )
        here = self.request.path
        for group in groups.values():
            group["devices"].sort(key=lambda entry: not entry["is_default"])  # stable
            group["links"] = plugin_links(group["plugin"], next_url=here)
        # Plugins with links get a section even before the user has one of their devices.
        for plugin in registry.enabled().values():
            links = plugin_links(plugin, next_url=here) if plugin.name not in groups else []
            if links:
                groups[plugin.name] = {
                    "plugin": plugin,
                    "label": plugin.label,
                    "devices": [],
                    "links": links,
                }
        for group in groups.values():
            group["backup"] = bool(group["plugin"] and group["plugin"].backup)
        backups = backup_devices(user)
        counts = [c for c in (remaining_codes(d) for d in backups) if c is not None]
        browsers = remember.browsers_for(self.request, user)
        labels = {d.persistent_id: d.display_label() for d in (*primaries, *backups)}
        for browser in browsers:
            browser.verified_by = labels.get(browser.remembered_device_id, "")
            browser.seen = _ago(browser.last_seen_at)
            browser.factor_list = [
                (_factor_label(device_id, kind, labels), _ago(at))
                for device_id, kind, at in browser.factors
            ]
        context.update(
            default_device=first,
            profile_path=here,
            device_groups=sorted(
                groups.values(), key=lambda g: g["plugin"].order if g["plugin"] else 1000
            ),
            backup_plugin=backup_plugin(),
            backup_tokens=sum(counts) if counts else 0,
            has_backup=bool(backups),
            can_setup=bool(setup_methods()),
            remember_enabled=remember.is_enabled(),
            remembered=any(b.current and b.remembered for b in browsers),
            signed_in_browsers=browsers,
            has_remembered=any(b.remembered for b in browsers),
            low_on_codes=bool(backups) and _is_low(backups[0], sum(counts)),
        )
        return context


@method_decorator(protect_page, name="dispatch")
class DisableView(OTPRequiredMixin, FormView):
    """Remove every device of the user after a confirmation (POST only)."""

    template_name = "two_factor/profile/disable.html"
    form_class = DisableForm
    success_url = "two_factor:profile"
    verification_url = "two_factor:profile"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        describe_errors(context.get("form"))
        return context

    def form_valid(self, form: Any) -> Any:
        disable_two_factor(self.request.user, request=self.request)
        if hasattr(self.request, "_messages"):
            messages.success(
                self.request,
                gettext(
                    "Two-factor authentication is off. Your account is protected by "
                    "your password alone."
                ),
            )
        return redirect(self.success_url)

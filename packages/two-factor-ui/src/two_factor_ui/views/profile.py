"""The account's two-factor overview, and turning two-factor off."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from otp_core.auth import devices_for_user

from .. import remember
from ..a11y import describe_errors
from ..forms import DisableForm
from ..methods import (
    backup_devices,
    backup_plugin,
    default_device,
    remaining_codes,
    setup_methods,
    user_devices,
)
from .mixins import OTPRequiredMixin

__all__ = ["DisableView", "ProfileView", "plugin_links"]


def plugin_links(plugin: Any) -> list[dict[str, str]]:
    """Links a plugin offers on the profile page (``options["profile_links"]``).

    Each entry is ``(label, url name or path)``; names that do not reverse
    are left out.
    """
    links = []
    for entry in plugin.options.get("profile_links", ()) if plugin else ():
        try:
            label, target = entry
        except (TypeError, ValueError):
            continue
        try:
            url = reverse(target)
        except NoReverseMatch:
            if not str(target).startswith("/"):
                continue
            url = str(target)
        links.append({"label": label, "url": url})
    return links


@method_decorator(never_cache, name="dispatch")
class ProfileView(LoginRequiredMixin, TemplateView):
    """What protects this account, with links to change it."""

    template_name = "two_factor/profile/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        groups: dict[str, dict[str, Any]] = {}
        for item in user_devices(user):
            key = item.plugin.name if item.plugin else type(item.device)._meta.label
            group = groups.setdefault(
                key,
                {"plugin": item.plugin, "label": item.label, "devices": [], "links": []},
            )
            group["devices"].append(item.device)
        for group in groups.values():
            group["links"] = plugin_links(group["plugin"])
            group["backup"] = bool(group["plugin"] and group["plugin"].backup)
        backups = backup_devices(user)
        counts = [c for c in (remaining_codes(d) for d in backups) if c is not None]
        context.update(
            default_device=default_device(user),
            device_groups=list(groups.values()),
            backup_plugin=backup_plugin(),
            backup_tokens=sum(counts) if counts else 0,
            has_backup=bool(backups),
            can_setup=bool(setup_methods()),
            remember_enabled=remember.is_enabled(),
            remembered=remember.remembered_device(self.request, user) is not None,
        )
        return context


@method_decorator(never_cache, name="dispatch")
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
        with transaction.atomic():
            for device in devices_for_user(self.request.user, confirmed=None):
                device.delete()
        return redirect(self.success_url)

"""Backup (recovery) codes: counted, and replaced through the backup plugin.

Codes are made by the backup plugin's own set-up forms (``Plugin.backup``),
so the page works with whichever recovery-code plugin is installed: a POST
with ``generate`` shows the plugin's first step (which shows the new codes,
once); the following POSTs complete its steps, whose ``state`` is kept in
the session meanwhile.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.views.generic import View

from otp_core.views_security import protect_page

from ..a11y import describe_errors
from ..methods import backup_devices, backup_plugin, remaining_codes
from .mixins import VerifiedUserRequiredMixin
from .utils import render_fragment

__all__ = ["LOW_CODES", "BackupTokensView", "codes_file", "codes_left_message"]

SESSION_KEY = "two_factor_ui_backup"
PREFIX = "backup"
#: Codes left at or below which the user is warned, unless the device says
#: itself (otp-static's ``low_on_codes``, ``OTP_STATIC_LOW_CODES``).
LOW_CODES = 2


def _is_low(device: Any, count: int) -> bool:
    low = getattr(device, "low_on_codes", None)
    return bool(low) if isinstance(low, bool) else count <= LOW_CODES


def codes_left_message(request: Any, device: Any) -> None:
    """After a sign-in with a recovery code: how many are left, and a warning when few.

    Added as a ``django.contrib.messages`` message (nothing when the project
    does not use messages or the device cannot count its codes).
    """
    count = remaining_codes(device)
    if count is None or not hasattr(request, "_messages"):
        return
    text = ngettext(
        "You have %(count)d backup code left.", "You have %(count)d backup codes left.", count
    ) % {"count": count}
    if not _is_low(device, count):
        messages.info(request, text)
        return
    if count == 0:
        text = gettext("You have no backup codes left.")
    link = format_html(
        '{} <a href="{}">{}</a>',
        text,
        reverse("two_factor:backup_tokens"),
        gettext("Make new backup codes now."),
    )
    messages.warning(request, link)


def _today() -> datetime.date:
    return timezone.localdate() if timezone.is_aware(timezone.now()) else datetime.date.today()


def codes_file(request: Any, codes: list[str]) -> str:
    """The text of the downloadable (and printable) copy of freshly made codes."""
    site = get_current_site(request)
    name = getattr(site, "name", "") or request.get_host()
    today = _today()
    lines = [
        gettext("Backup codes for %(site)s") % {"site": name},
        gettext("Account: %(user)s") % {"user": request.user.get_username()},
        gettext("Made on %(date)s") % {"date": today.isoformat()},
        gettext("Each code works once."),
        "",
        *codes,
        "",
    ]
    return "\n".join(lines)


@method_decorator(protect_page, name="dispatch")
class BackupTokensView(VerifiedUserRequiredMixin, View):
    """How many codes are left; POST ``generate`` makes a new set."""

    template_name = "two_factor/core/backup_tokens.html"

    def get_plugin(self) -> Any:
        plugin = backup_plugin()
        if plugin is None:
            raise Http404("No backup code plugin is installed.")
        return plugin

    def render(self, status: int = 200, **extra: Any) -> Any:
        devices = backup_devices(self.request.user)
        counts = [c for c in (remaining_codes(d) for d in devices) if c is not None]
        context = {
            "plugin": self.get_plugin(),
            "devices": devices,
            "remaining": sum(counts) if counts else 0,
            **extra,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.get_plugin()
        request.session.pop(SESSION_KEY, None)
        return self.render()

    def _step_form(self, index: int, state: dict[str, Any], data: Any = None) -> Any:
        form_class = self.get_plugin().get_setup_forms()[index]
        return form_class(
            data=data, prefix=PREFIX, user=self.request.user, request=self.request, state=state
        )

    def _show(self, index: int, form: Any, state: dict[str, Any], status: int = 200) -> Any:
        describe_errors(form)
        fragment = render_fragment(form, self.request, {"state": state})
        # Saved after rendering: get_context() may have put the new codes' device in state.
        self.request.session[SESSION_KEY] = {"step": index, "state": form.state}
        extra: dict[str, Any] = {}
        # The codes on screen (get_context() is memoised per form): offered
        # as a file built from them, never read back later (they are hashed).
        codes = form.get_context().get("codes") if hasattr(form, "get_context") else None
        if codes:
            text = codes_file(self.request, [str(code) for code in codes])
            extra.update(
                codes_text=text,
                codes_data_url="data:text/plain;charset=utf-8," + quote(text),
                codes_filename=f"backup-codes-{_today().isoformat()}.txt",
            )
        return self.render(status=status, fragment=fragment, step_form=form, **extra)

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        forms = self.get_plugin().get_setup_forms()
        if "generate" in request.POST:
            state: dict[str, Any] = {}
            return self._show(0, self._step_form(0, state), state)
        pending = request.session.get(SESSION_KEY)
        if not isinstance(pending, dict) or not isinstance(pending.get("state"), dict):
            return self.render(status=400, expired=True)
        index = pending.get("step")
        if not isinstance(index, int) or not 0 <= index < len(forms):
            request.session.pop(SESSION_KEY, None)
            return self.render(status=400, expired=True)
        state = pending["state"]
        form = self._step_form(index, state, data=request.POST)
        if not form.is_valid():
            return self._show(index, form, state, status=400)
        form.save()
        if index + 1 < len(forms):
            return self._show(index + 1, self._step_form(index + 1, form.state), form.state)
        request.session.pop(SESSION_KEY, None)
        return self.render(saved=True)

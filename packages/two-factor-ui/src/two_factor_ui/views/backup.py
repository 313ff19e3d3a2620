"""Backup (recovery) codes: counted, and replaced through the backup plugin.

Codes are made by the backup plugin's own set-up forms (``Plugin.backup``),
so the page works with whichever recovery-code plugin is installed: a POST
with ``generate`` shows the plugin's first step (which shows the new codes,
once); the following POSTs complete its steps, whose ``state`` is kept in
the session meanwhile.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.generic import View

from otp_core.views_security import protect_page

from ..a11y import describe_errors
from ..methods import backup_devices, backup_plugin, remaining_codes
from .mixins import VerifiedUserRequiredMixin
from .utils import render_fragment

__all__ = ["BackupTokensView"]

SESSION_KEY = "two_factor_ui_backup"
PREFIX = "backup"


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
        return self.render(status=status, fragment=fragment, step_form=form)

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

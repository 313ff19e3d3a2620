"""Small pieces the views share: fragment rendering and verify-form lookup."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from otp_core.setup import DeviceVerificationForm

from ..methods import plugin_for

__all__ = ["render_fragment", "verify_form_class"]


def verify_form_class(device: Any) -> type:
    """The form that asks for ``device``'s answer: its plugin's, or the generic one."""
    plugin = plugin_for(device)
    form_class = plugin.get_verify_form() if plugin is not None else None
    return form_class or DeviceVerificationForm


def render_fragment(form: Any, request: Any, extra: dict[str, Any] | None = None) -> str:
    """Render a plugin form through its ``template_name_fragment``."""
    context = dict(extra or {})
    context.update(form.get_context())
    context["form"] = form
    return render_to_string(form.template_name_fragment, context, request=request)

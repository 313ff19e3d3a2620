"""Small pieces the views share: fragment rendering and verify-form lookup."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from otp_core.setup import DeviceVerificationForm

from ..methods import plugin_for

__all__ = ["CHALLENGE_MESSAGES", "render_fragment", "send_challenge", "verify_form_class"]

#: What the user reads when a code could not be sent.
CHALLENGE_MESSAGES = {
    "challenge_failed": _("The code could not be sent. Please try again later."),
    "cooldown": _("A code was sent a moment ago. Please wait before asking for another."),
}


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


def send_challenge(device: Any, request: Any) -> tuple[bool, Any, str]:
    """Send ``device``'s code: ``(sent, notice, message)``.

    ``notice`` says why nothing was sent (a send budget, a cooldown, a
    failing gateway: never the address or the code); ``message`` is what the
    device says it did ("We sent a code to a***@example.com.").
    """
    try:
        challenge = device.generate_challenge(request)
    except Exception as exc:
        # Loaded on a failed send only, not in every worker's start-up.
        from otp_core.challenges import ChallengeNotAllowed

        if not isinstance(exc, ChallengeNotAllowed):
            return False, CHALLENGE_MESSAGES["challenge_failed"], ""
        from otp_core import budgets

        return False, budgets.refusal_message(exc.details) or CHALLENGE_MESSAGES["cooldown"], ""
    return True, None, str(challenge) if challenge else ""

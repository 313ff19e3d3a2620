"""The ``Plugin.options`` hooks that take a request or a device (dotted paths).

``login_page``: a plugin's extra way to sign in on the password step (passkeys);
``device_details``: short facts the account page shows next to a device's
name. A hook that is missing, does not import or fails is left out: a
plugin's extra never breaks the login or account page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from otp_core import plugins as registry
from otp_core.values import Value

__all__ = ["DEVICE_DETAILS", "LOGIN_PAGE", "LoginExtra", "device_details", "login_extras"]

logger = logging.getLogger("two_factor_ui")

#: ``Plugin.options`` key: dotted path of ``f(request) -> dict | None``.
LOGIN_PAGE = "login_page"
#: ``Plugin.options`` key: dotted path of ``f(device) -> list[str]``.
DEVICE_DETAILS = "device_details"


def _hook(plugin: Any, key: str) -> Any:
    path = plugin.options.get(key) if plugin is not None else None
    if not path:
        return None
    try:
        return import_string(path) if isinstance(path, str) else path
    except ImportError:
        logger.warning("The %s hook of plugin %r does not import", key, plugin.name)
        return None


class LoginExtra(Value):
    """One plugin's addition to the password step, rendered."""

    _fields = ("html", "static_js", "username_autocomplete")
    __slots__ = _fields
    html: str
    static_js: tuple[str, ...]
    username_autocomplete: str

    def __init__(self, html: str, static_js: tuple[str, ...], username_autocomplete: str) -> None:
        self._fill(html, static_js, username_autocomplete)


def login_extras(request: Any, context: dict[str, Any]) -> list[LoginExtra]:
    """What installed plugins add to the login page's password step."""
    extras = []
    for plugin in registry.enabled().values():
        hook = _hook(plugin, LOGIN_PAGE)
        answer = hook(request) if hook is not None else None
        if not isinstance(answer, dict) or not answer.get("template"):
            continue
        html = render_to_string(answer["template"], context, request=request)
        extras.append(
            LoginExtra(
                html=html,
                static_js=tuple(answer.get("static_js") or ()),
                username_autocomplete=str(answer.get("username_autocomplete") or ""),
            )
        )
    return extras


def device_details(plugin: Any, device: Any) -> list[str]:
    """The facts ``plugin`` gives of ``device`` ("added 1 May"), or none."""
    hook = _hook(plugin, DEVICE_DETAILS)
    if hook is None:
        return []
    return [str(item) for item in hook(device) or ()]

"""The plugin registry, fed by the ``otp_core.plugins`` entry point group.

Each plugin distribution declares, in its ``pyproject.toml``::

    [project.entry-points."otp_core.plugins"]
    totp = "otp_totp.plugin:plugin"

where ``plugin`` is a :class:`Plugin`. The module it lives in must import
nothing from Django's models: settings use this registry before apps load.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Device

__all__ = [
    "ENTRY_POINT_GROUP",
    "Plugin",
    "enabled",
    "for_device",
    "get",
    "installed",
    "installed_apps",
]

ENTRY_POINT_GROUP = "otp_core.plugins"

logger = logging.getLogger("otp_core")


@dataclass(frozen=True)
class Plugin:
    """What a plugin tells otp-core and a UI about itself.

    Only ``name``, ``app``, ``label``, ``factor_kind`` and ``device_models``
    are required. The rest are hooks a UI renders every plugin through:
    dotted paths (resolved lazily) to forms, template names for the setup
    and verification steps, and static files (scripts) those templates need.
    """

    #: Short unique name, e.g. ``"totp"``; the entry point's name.
    name: str
    #: The module to add to ``INSTALLED_APPS``, e.g. ``"otp_totp"``.
    app: str
    #: Human label for method choices ("Authenticator app"); may be lazy.
    label: Any
    #: RFC 8176 ``amr`` value recorded when one of its devices verifies.
    factor_kind: str
    #: Device models as ``"app_label.ModelName"``.
    device_models: tuple[str, ...] = ()
    #: Longer description shown next to the label.
    description: Any = ""
    #: True for recovery methods (backup codes), offered apart from the others.
    backup: bool = False
    #: Does verification start with a challenge (send a code, WebAuthn options)?
    interactive: bool = False
    #: Dotted paths of forms: setup steps, in order, and the token form.
    setup_forms: tuple[str, ...] = ()
    verify_form: str | None = None
    #: Templates: per setup step (same order), and the verification fragment.
    setup_templates: tuple[str, ...] = ()
    verify_template: str | None = None
    #: Static files (JavaScript) the setup and verification templates need;
    #: UIs load them as ES modules (``<script type="module">``, deferred).
    static_js: tuple[str, ...] = ()
    #: Lower sorts first in method choices.
    order: int = 100
    #: Free-form extras for UIs with needs not foreseen here. Keys two-factor-ui
    #: reads: ``"profile_links"``, ``[(label, url name or path), ...]`` shown on
    #: the account page even before the user has a device of the plugin; and
    #: ``"device_actions"``, ``[(label, url name), ...]`` POST actions on one
    #: device, each URL reversed with ``kwargs={"pk": device.pk}``;
    #: ``"device_details"``, dotted path of ``f(device) -> list[str]``, short
    #: facts shown next to a device's name ("added 1 May"); and
    #: ``"login_page"``, dotted path of ``f(request) -> dict | None`` adding a
    #: way to sign in to the password page: ``{"template": fragment rendered
    #: below the form (with ``next``), "static_js": (...), "username_autocomplete":
    #: token appended to the user name field's autocomplete}``, or None.
    options: dict[str, Any] = field(default_factory=dict)

    def get_device_models(self) -> list[type[Device]]:
        from django.apps import apps

        return [apps.get_model(label) for label in self.device_models]

    def get_setup_forms(self) -> list[type]:
        return [import_string(path) for path in self.setup_forms]

    def get_verify_form(self) -> type | None:
        return import_string(self.verify_form) if self.verify_form else None


def _forget_path_listings() -> None:
    """Drop importlib.metadata's listing of every ``sys.path`` entry.

    It caches one per entry for the life of the process (about 25 KiB of a
    worker here, more with a larger environment); the registry reads the
    entry points once. A later metadata query lists the entries again.
    """
    # Another importlib.metadata (no such finder): nothing to drop.
    with contextlib.suppress(AttributeError, TypeError):
        metadata.MetadataPathFinder().invalidate_caches()


def _load() -> dict[str, Plugin]:
    plugins: dict[str, Plugin] = {}
    try:
        found = metadata.entry_points(group=ENTRY_POINT_GROUP)
    finally:
        _forget_path_listings()
    for ep in found:
        try:
            obj = ep.load()
        except Exception as exc:
            raise ImproperlyConfigured(
                f"The otp_core plugin {ep.name!r} ({ep.value}) failed to load: {exc}"
            ) from exc
        if not isinstance(obj, Plugin):
            raise ImproperlyConfigured(
                f"The otp_core plugin entry point {ep.name!r} ({ep.value}) "
                "is not an otp_core.plugins.Plugin."
            )
        if obj.name != ep.name:
            raise ImproperlyConfigured(
                f"The otp_core plugin entry point {ep.name!r} names a plugin called {obj.name!r}."
            )
        if obj.name in plugins and plugins[obj.name] != obj:
            raise ImproperlyConfigured(f"Two installed otp_core plugins are named {obj.name!r}.")
        plugins[obj.name] = obj
    return dict(sorted(plugins.items(), key=lambda item: (item[1].order, item[0])))


@functools.cache
def installed() -> dict[str, Plugin]:
    """Every installed plugin by name, loaded once and cached.

    Installed means its distribution is: its app may still be missing from
    ``INSTALLED_APPS`` (system check ``otp_core.W002``). What a site offers
    its users is :func:`enabled`.
    """
    return _load()


#: ``(apps.app_configs, installed(), the plugins enabled of those)``, from :func:`enabled`.
_enabled: tuple[Any, dict[str, Plugin], dict[str, Plugin]] | None = None


def enabled() -> dict[str, Plugin]:
    """The installed plugins whose app is in ``INSTALLED_APPS``, by name.

    These are the methods a site offers: set-up choices, login-page hooks,
    account-page links. A plugin installed but left out of ``INSTALLED_APPS``
    is ignored (its models do not exist). Needs the app registry ready; kept
    until the registry's apps change (``override_settings(INSTALLED_APPS=...)``
    in tests) or :func:`installed` answers another dict.
    """
    global _enabled
    from django.apps import apps

    apps.check_apps_ready()
    configs = apps.app_configs
    every = installed()
    cached = _enabled
    if cached is not None and cached[0] is configs and cached[1] is every:
        return cached[2]
    names = {config.name for config in configs.values()}
    found = {name: plugin for name, plugin in every.items() if plugin.app in names}
    _enabled = (configs, every, found)
    return found


def installed_apps(exclude: tuple[str, ...] = ()) -> list[str]:
    """The apps of all installed plugins, to extend ``INSTALLED_APPS`` with."""
    apps: list[str] = []
    for plugin in installed().values():
        if plugin.name not in exclude and plugin.app not in apps:
            apps.append(plugin.app)
    return apps


def get(name: str) -> Plugin:
    try:
        return installed()[name]
    except KeyError:
        raise LookupError(f"No otp_core plugin named {name!r} is installed.") from None


def for_device(device: Device | type[Device]) -> Plugin | None:
    """The plugin that declares ``device``'s model, if any."""
    label = device._meta.label
    for plugin in installed().values():
        if label in plugin.device_models:
            return plugin
    return None

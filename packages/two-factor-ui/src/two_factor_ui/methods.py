"""What the pages know about a user's methods, read from otp-core's registry.

Nothing here names a plugin: every installed plugin with setup forms is a
method to set up, every plugin marked ``backup`` is a recovery method, and a
user's devices are sorted into primary and backup ones by their plugin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from otp_core import plugins as registry
from otp_core.auth import devices_for_user
from otp_core.models import Device
from otp_core.plugins import Plugin

__all__ = [
    "UserDevice",
    "backup_devices",
    "backup_plugin",
    "default_device",
    "device_from_id",
    "is_backup",
    "plugin_for",
    "primary_devices",
    "remaining_codes",
    "setup_methods",
    "user_devices",
]


@dataclass(frozen=True)
class UserDevice:
    """A device with the plugin that declares it (None for a model no plugin names)."""

    device: Device
    plugin: Plugin | None

    @property
    def persistent_id(self) -> str:
        return self.device.persistent_id

    @property
    def label(self) -> Any:
        return (
            self.plugin.label if self.plugin is not None else type(self.device)._meta.verbose_name
        )


def plugin_for(device: Device) -> Plugin | None:
    return registry.for_device(device)


def is_backup(device: Device) -> bool:
    plugin = plugin_for(device)
    return bool(plugin and plugin.backup)


def setup_methods() -> list[Plugin]:
    """Plugins a user can choose in the setup wizard, in registry order."""
    return [p for p in registry.installed().values() if p.setup_forms and not p.backup]


def backup_plugin() -> Plugin | None:
    """The first installed recovery-code plugin that can make codes, if any."""
    for plugin in registry.installed().values():
        if plugin.backup and plugin.setup_forms:
            return plugin
    return None


def _sort_key(device: Device) -> tuple[int, str, int, int]:
    plugin = plugin_for(device)
    if plugin is None:
        return (1000, "", 0, 0)
    label = device._meta.label
    models = list(plugin.device_models)
    position = models.index(label) if label in models else len(models)
    created = getattr(device, "created_at", None)
    return (plugin.order, plugin.name, position, int(created.timestamp()) if created else 0)


def user_devices(user: Any, confirmed: bool | None = True) -> list[UserDevice]:
    """Every device of ``user`` with its plugin, primary methods first."""
    devices = sorted(devices_for_user(user, confirmed=confirmed), key=_sort_key)
    return [UserDevice(d, plugin_for(d)) for d in devices]


def primary_devices(user: Any) -> list[Device]:
    """Confirmed devices that are not recovery codes, in registry order."""
    return [ud.device for ud in user_devices(user) if not (ud.plugin and ud.plugin.backup)]


def backup_devices(user: Any) -> list[Device]:
    """Confirmed recovery-code devices."""
    return [ud.device for ud in user_devices(user) if ud.plugin and ud.plugin.backup]


def default_device(user: Any) -> Device | None:
    """The device the login asks for first: the first primary device.

    Plugins rank their devices by ``Plugin.order`` (lowest first); within
    a plugin by the order of ``device_models``, then the oldest first.
    """
    devices = primary_devices(user)
    return devices[0] if devices else None


def device_from_id(user: Any, persistent_id: Any) -> Device | None:
    """``user``'s confirmed device with that persistent id, or None."""
    if not isinstance(persistent_id, str) or not persistent_id:
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != getattr(user, "pk", None) or not device.confirmed:
        return None
    return device


def remaining_codes(device: Device) -> int | None:
    """How many unused recovery codes ``device`` holds, when it can say."""
    for name in ("remaining_codes", "remaining", "code_count"):
        value = getattr(device, name, None)
        if callable(value):
            value = value()
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    token_set = getattr(device, "token_set", None)
    if token_set is not None and hasattr(token_set, "count"):
        return token_set.count()
    return None

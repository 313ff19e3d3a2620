"""What the pages know about a user's methods, read from otp-core's registry.

Nothing here names a plugin: every installed plugin with setup forms is a
method to set up, every plugin marked ``backup`` is a recovery method, and a
user's devices are sorted into primary and backup ones by their plugin.
"""

from __future__ import annotations

from typing import Any

from otp_core import plugins as registry
from otp_core.auth import devices_for_user
from otp_core.listing import cached_for_user, forget_listings
from otp_core.models import Device
from otp_core.plugins import Plugin
from otp_core.values import Value

__all__ = [
    "UserDevice",
    "backup_devices",
    "backup_plugin",
    "default_device",
    "device_from_id",
    "first_devices",
    "is_backup",
    "plugin_for",
    "primary_devices",
    "remaining_codes",
    "set_default_device",
    "setup_methods",
    "user_devices",
]


class UserDevice(Value):
    """A device with the plugin that declares it (None for a model no plugin names)."""

    _fields = ("device", "plugin")
    __slots__ = _fields
    device: Device
    plugin: Plugin | None

    def __init__(self, device: Device, plugin: Plugin | None) -> None:
        self._fill(device, plugin)

    @property
    def persistent_id(self) -> str:
        return self.device.persistent_id

    @property
    def label(self) -> Any:
        """What the device is and, masked, where its codes go (``Device.display_label``)."""
        return self.device.display_label()


def plugin_for(device: Device) -> Plugin | None:
    return registry.for_device(device)


def is_backup(device: Device) -> bool:
    plugin = plugin_for(device)
    return bool(plugin and plugin.backup)


def setup_methods() -> list[Plugin]:
    """Plugins a user can choose in the setup wizard, in registry order."""
    return [p for p in registry.enabled().values() if p.setup_forms and not p.backup]


def backup_plugin() -> Plugin | None:
    """The first installed recovery-code plugin that can make codes, if any."""
    for plugin in registry.enabled().values():
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


def first_devices(user: Any) -> list[Device]:
    """Primary devices in the order the login offers them: the one asked first leads.

    The user's chosen device (:func:`set_default_device`) comes first; then
    every device in registry order, except that a device added as a spare
    (``Device.added_as_backup()``, e.g. a backup phone) comes after the
    others. Recovery codes are never among them.
    """
    devices = primary_devices(user)
    if len(devices) < 2:
        return devices  # nothing to rank: the stored preference is not read
    devices.sort(key=_added_as_backup)  # stable: registry order within each half
    chosen = _preferred_id(user)
    if chosen:
        devices.sort(key=lambda d: d.persistent_id != chosen or _added_as_backup(d))
    return devices


def _added_as_backup(device: Device) -> bool:
    check = getattr(device, "added_as_backup", None)
    return bool(check()) if callable(check) else False


def _preferred_id(user: Any) -> str:
    from .models import PreferredDevice

    if getattr(user, "pk", None) is None:
        return ""

    def fetch() -> str:
        row = PreferredDevice.objects.filter(user_id=user.pk).only("device_id").first()
        return row.device_id if row is not None else ""

    # Read once per request, like the device listing it ranks.
    return cached_for_user(user, "preferred_device", fetch)


def default_device(user: Any) -> Device | None:
    """The device the login asks for first, never a recovery code.

    The user's choice when it is still a confirmed primary device; else the
    first primary device in registry order (``Plugin.order``, then the order
    of ``device_models``, then the oldest), a device added as a backup last.
    """
    devices = first_devices(user)
    return devices[0] if devices else None


def set_default_device(user: Any, device: Device) -> None:
    """Ask for ``device`` first when ``user`` signs in (a primary device only)."""
    from .models import PreferredDevice

    if device.user_id != user.pk or is_backup(device) or _added_as_backup(device):
        raise ValueError("Only one of the user's own primary devices can be the default.")
    PreferredDevice.objects.update_or_create(
        user_id=user.pk, defaults={"device_id": device.persistent_id}
    )
    forget_listings()  # the cached preference of this request is stale


def device_from_id(user: Any, persistent_id: Any) -> Device | None:
    """``user``'s confirmed device with that persistent id, or None.

    Found in the request's one listing of the user's devices (shared with
    the default device and the other methods), not by a query of its own.
    """
    if not isinstance(persistent_id, str) or not persistent_id:
        return None
    for device in devices_for_user(user):
        if device.persistent_id == persistent_id:
            return device
    return None


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

"""Every distribution of this repository registers a plugin that is what it says.

With every distribution installed (the matrix sessions), each one's entry
point must load to a Plugin whose app is installed, whose device models exist
and are devices of that app, and whose hooks import.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from django.apps import apps

from otp_core.models import Device
from otp_core.plugins import ENTRY_POINT_GROUP, Plugin

PACKAGES = Path(__file__).resolve().parents[3]
#: The distributions that are not device plugins.
NOT_PLUGINS = {"otp-core", "two-factor-ui"}


def test_every_device_distribution_registers_a_plugin_that_loads():
    names = sorted(p.parent.name for p in PACKAGES.glob("*/pyproject.toml"))
    assert "otp-totp" in names
    for dist in names:
        entry_points = [
            ep for ep in metadata.distribution(dist).entry_points if ep.group == ENTRY_POINT_GROUP
        ]
        if dist in NOT_PLUGINS:
            assert entry_points == [], dist
            continue
        assert len(entry_points) == 1, f"{dist} declares {entry_points}"
        plugin = entry_points[0].load()
        assert isinstance(plugin, Plugin), dist
        assert plugin.name == entry_points[0].name
        assert apps.is_installed(plugin.app), f"{dist}: app {plugin.app!r} is not installed"
        models = plugin.get_device_models()
        assert models, f"{dist} declares no device model"
        for model in models:
            assert issubclass(model, Device), f"{dist}: {model} is not a Device"
            assert model._meta.app_config.name == plugin.app
        plugin.get_setup_forms()
        plugin.get_verify_form()

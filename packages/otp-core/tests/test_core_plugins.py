"""The plugin registry, fed by entry points of installed distributions."""

from __future__ import annotations

from importlib import metadata

import pytest
from django.core.exceptions import ImproperlyConfigured
from otp_example.models import ExampleChallengeDevice, ExampleDevice

from otp_core import plugins
from otp_core.plugins import Plugin

GROUP = plugins.ENTRY_POINT_GROUP


@pytest.fixture
def fresh_registry():
    plugins.installed.cache_clear()
    yield
    plugins.installed.cache_clear()


def test_the_real_example_distribution_is_found(fresh_registry):
    # No mocking: the entry point of the installed otp-example distribution.
    names = [ep.name for ep in metadata.entry_points(group=GROUP)]
    assert "example" in names
    found = plugins.installed()
    example = found["example"]
    assert isinstance(example, Plugin)
    assert example.app == "otp_example"
    assert example.factor_kind == "otp"
    assert "otp_example.ExampleDevice" in example.device_models
    dist = metadata.distribution("otp-example")
    assert any(ep.name == "example" and ep.group == GROUP for ep in dist.entry_points)


def test_installed_is_cached(fresh_registry):
    assert plugins.installed() is plugins.installed()


def test_installed_apps(fresh_registry):
    apps = plugins.installed_apps()
    assert "otp_example" in apps
    assert len(apps) == len(set(apps))
    assert "otp_example" not in plugins.installed_apps(exclude=("example",))


def test_enabled_is_installed_and_in_installed_apps(settings, fresh_registry):
    assert plugins.enabled()["example"] is plugins.installed()["example"]
    assert plugins.enabled() is plugins.enabled()  # kept while the apps stay
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "otp_example"]
    assert "example" in plugins.installed()
    assert "example" not in plugins.enabled()
    # In the registry's order, every plugin whose app is still installed.
    from django.apps import apps

    expected = [name for name, p in plugins.installed().items() if apps.is_installed(p.app)]
    assert "example" not in expected
    assert list(plugins.enabled()) == expected


def test_get_and_for_device(db, fresh_registry):
    example = plugins.get("example")
    assert example.name == "example"
    with pytest.raises(LookupError, match="nosuchplugin"):
        plugins.get("nosuchplugin")
    assert plugins.for_device(ExampleDevice) is example
    assert plugins.for_device(ExampleChallengeDevice()) is example
    models = example.get_device_models()
    assert ExampleDevice in models


def test_for_device_of_an_undeclared_model(fresh_registry):
    from django.contrib.auth.models import User

    assert plugins.for_device(User) is None


def test_plugin_hooks_resolve_dotted_paths():
    plugin = Plugin(
        name="x",
        app="otp_example",
        label="X",
        factor_kind="otp",
        setup_forms=("otp_core.setup.SetupStepForm",),
        verify_form="otp_core.setup.DeviceVerificationForm",
    )
    from otp_core.setup import DeviceVerificationForm, SetupStepForm

    assert plugin.get_setup_forms() == [SetupStepForm]
    assert plugin.get_verify_form() is DeviceVerificationForm
    bare = Plugin(name="y", app="y", label="Y", factor_kind="otp")
    assert bare.get_verify_form() is None
    assert bare.get_setup_forms() == []


# -- error paths, with hand-built entry points ---------------------------------------------


def _with_entry_points(monkeypatch, *entry_points):
    real = metadata.entry_points
    monkeypatch.setattr(
        metadata,
        "entry_points",
        lambda group=None, **kw: list(entry_points) if group == GROUP else real(group=group, **kw),
    )
    plugins.installed.cache_clear()


def ep(name: str, value: str) -> metadata.EntryPoint:
    return metadata.EntryPoint(name=name, value=value, group=GROUP)


def test_entry_point_that_is_not_a_plugin(monkeypatch, fresh_registry):
    _with_entry_points(monkeypatch, ep("example", "otp_example.models:ExampleDevice"))
    with pytest.raises(ImproperlyConfigured, match=r"is not an otp_core\.plugins\.Plugin"):
        plugins.installed()


def test_entry_point_that_fails_to_load(monkeypatch, fresh_registry):
    _with_entry_points(monkeypatch, ep("gone", "otp_no_such_module.plugin:plugin"))
    with pytest.raises(ImproperlyConfigured, match=r"'gone'.*failed to load"):
        plugins.installed()
    _with_entry_points(monkeypatch, ep("gone", "otp_example.plugin:no_such_name"))
    with pytest.raises(ImproperlyConfigured, match="failed to load"):
        plugins.installed()


def test_entry_point_name_mismatch(monkeypatch, fresh_registry):
    _with_entry_points(monkeypatch, ep("other", "otp_example.plugin:plugin"))
    with pytest.raises(ImproperlyConfigured, match="'other' names a plugin called 'example'"):
        plugins.installed()


def test_the_same_plugin_twice_is_one_plugin(monkeypatch, fresh_registry):
    _with_entry_points(
        monkeypatch,
        ep("example", "otp_example.plugin:plugin"),
        ep("example", "otp_example.plugin:plugin"),
    )
    assert list(plugins.installed()) == ["example"]


def test_plugins_sort_by_order_then_name(monkeypatch, fresh_registry):
    import sys
    import types

    module = types.ModuleType("otp_core_test_fake_plugins")
    module.late = Plugin(name="late", app="a", label="A", factor_kind="otp", order=200)
    module.alpha = Plugin(name="alpha", app="b", label="B", factor_kind="otp")
    module.early = Plugin(name="early", app="c", label="C", factor_kind="otp", order=1)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    _with_entry_points(
        monkeypatch,
        ep("late", f"{module.__name__}:late"),
        ep("alpha", f"{module.__name__}:alpha"),
        ep("early", f"{module.__name__}:early"),
    )
    assert list(plugins.installed()) == ["early", "alpha", "late"]
    assert plugins.installed_apps() == ["c", "b", "a"]


def test_two_different_plugins_with_one_name(monkeypatch, fresh_registry):
    import sys
    import types

    module = types.ModuleType("otp_core_test_fake_dupes")
    module.one = Plugin(name="dup", app="a", label="A", factor_kind="otp")
    module.two = Plugin(name="dup", app="b", label="B", factor_kind="otp")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    _with_entry_points(
        monkeypatch, ep("dup", f"{module.__name__}:one"), ep("dup", f"{module.__name__}:two")
    )
    with pytest.raises(ImproperlyConfigured, match="Two installed otp_core plugins"):
        plugins.installed()


def test_the_scan_leaves_no_listing_of_sys_path_behind(fresh_registry):
    """importlib.metadata's per-entry listings go once the registry has read them (issue 15)."""
    metadata.entry_points(group="console_scripts")  # lists every sys.path entry
    assert metadata.FastPath.__new__.cache_info().currsize > 0
    assert "example" in plugins.installed()
    assert metadata.FastPath.__new__.cache_info().currsize == 0
    # A later query lists them again and answers as before.
    assert "example" in [ep.name for ep in metadata.entry_points(group=GROUP)]

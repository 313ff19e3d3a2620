"""System checks: every misconfiguration has an id and fails at start-up."""

from __future__ import annotations

from importlib import metadata

import pytest
from django.core import checks
from django.test import override_settings

from otp_core import checks as otp_checks
from otp_core import plugins

AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
OTP = "otp_core.middleware.OTPMiddleware"
GOOD_KEY = "k" * 32


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_the_test_project_passes_every_check():
    messages = checks.run_checks(include_deployment_checks=False)
    assert [m for m in messages if m.id.startswith("otp_core.")] == []


@pytest.mark.parametrize(
    ("middleware", "expected"),
    [
        ([SESSION, AUTH, OTP], []),
        ([SESSION, AUTH], ["otp_core.E001"]),
        ([], ["otp_core.E001"]),
        ([SESSION, OTP, AUTH], ["otp_core.E002"]),
        ([SESSION, OTP], ["otp_core.E002"]),
    ],
)
def test_middleware_check(middleware, expected):
    with override_settings(MIDDLEWARE=middleware):
        assert ids(otp_checks.check_middleware()) == expected


def test_missing_middleware_setting():
    with override_settings(MIDDLEWARE=None):
        assert ids(otp_checks.check_middleware()) == ["otp_core.E001"]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (None, ["otp_core.W001"]),
        ([GOOD_KEY], []),
        ([GOOD_KEY, "x" * 40], []),
        (GOOD_KEY, []),  # one key as a plain string
        ([], ["otp_core.E003"]),
        ((), ["otp_core.E003"]),
        (42, ["otp_core.E003"]),
        ({"a": GOOD_KEY}, ["otp_core.E003"]),
        ([GOOD_KEY, 42], ["otp_core.E003"]),
        (["short"], ["otp_core.E004"]),
        ([GOOD_KEY, "k" * 31], ["otp_core.E004"]),
        (["short", None], ["otp_core.E004", "otp_core.E003"]),
    ],
)
def test_encryption_keys_check(keys, expected):
    with override_settings(OTP_ENCRYPTION_KEYS=keys):
        messages = otp_checks.check_encryption_keys()
    assert ids(messages) == expected
    for message in messages:
        # A check message never repeats a key.
        assert GOOD_KEY not in message.msg


def test_unset_encryption_keys_warn(settings):
    del settings.OTP_ENCRYPTION_KEYS
    (message,) = otp_checks.check_encryption_keys()
    assert message.id == "otp_core.W001"
    assert message.level == checks.WARNING


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("OTP_THROTTLE_FACTOR", 0, []),
        ("OTP_THROTTLE_FACTOR", 0.5, []),
        ("OTP_THROTTLE_FACTOR", -1, ["otp_core.E005"]),
        ("OTP_THROTTLE_FACTOR", "1", ["otp_core.E005"]),
        ("OTP_THROTTLE_FACTOR", True, ["otp_core.E005"]),
        ("OTP_THROTTLE_FACTOR", None, ["otp_core.E005"]),
        ("OTP_LOCKOUT_FAILURES", 0, []),
        ("OTP_LOCKOUT_FAILURES", 10, []),
        ("OTP_LOCKOUT_FAILURES", 2.5, ["otp_core.E006"]),
        ("OTP_LOCKOUT_FAILURES", -3, ["otp_core.E006"]),
        ("OTP_LOCKOUT_FAILURES", "100", ["otp_core.E006"]),
        ("OTP_ACCOUNT_LOCKOUT_FAILURES", 0, []),
        ("OTP_ACCOUNT_LOCKOUT_FAILURES", 100, []),
        ("OTP_ACCOUNT_LOCKOUT_FAILURES", -1, ["otp_core.E013"]),
        ("OTP_ACCOUNT_LOCKOUT_FAILURES", 2.5, ["otp_core.E013"]),
        ("OTP_ACCOUNT_LOCKOUT_FAILURES", "100", ["otp_core.E013"]),
        ("OTP_ACCOUNT_LOCKOUT_FAILURES", None, ["otp_core.E013"]),
        ("OTP_ACCOUNT_LOCKOUT_FAILURES", True, ["otp_core.E013"]),
        ("OTP_SESSION_MAX_VERIFICATIONS", 1, []),
        ("OTP_SESSION_MAX_VERIFICATIONS", 0, ["otp_core.E007"]),
        ("OTP_SESSION_MAX_VERIFICATIONS", -1, ["otp_core.E007"]),
        ("OTP_SESSION_MAX_VERIFICATIONS", 3.0, ["otp_core.E007"]),
        ("OTP_LOGIN_URL", None, []),
        ("OTP_LOGIN_URL", "/login/", []),
        ("OTP_LOGIN_URL", "login", []),
        ("OTP_LOGIN_URL", 42, ["otp_core.E008"]),
        ("OTP_LOGIN_URL", ["/login/"], ["otp_core.E008"]),
    ],
)
def test_settings_check(name, value, expected):
    with override_settings(**{name: value}):
        messages = otp_checks.check_settings()
    assert ids(messages) == expected
    assert all(m.level == checks.ERROR for m in messages)


def test_plugins_check_passes_for_the_installed_example():
    assert otp_checks.check_plugins() == []


def test_plugin_app_missing_from_installed_apps_warns(settings):
    from django.apps import apps

    with override_settings(
        INSTALLED_APPS=[a for a in settings.INSTALLED_APPS if a != "otp_example"]
    ):
        assert not apps.is_installed("otp_example")
        messages = otp_checks.check_plugins()
    assert ids(messages) == ["otp_core.W002"]
    assert "example" in messages[0].msg


def test_broken_plugin_is_an_error(monkeypatch):
    broken = metadata.EntryPoint(
        name="broken", value="otp_core_no_such_module:plugin", group=plugins.ENTRY_POINT_GROUP
    )
    monkeypatch.setattr(metadata, "entry_points", lambda group: [broken])
    plugins.installed.cache_clear()
    try:
        messages = otp_checks.check_plugins()
    finally:
        monkeypatch.undo()
        plugins.installed.cache_clear()
    assert ids(messages) == ["otp_core.E009"]
    assert "broken" in messages[0].msg


def _registered(prefix: str) -> dict[tuple[str, bool], tuple[str, ...]]:
    registry = checks.registry.registry
    return {
        (f"{check.__module__}.{check.__name__}", deploy): tuple(sorted(check.tags))
        for deploy, registered in (
            (False, registry.registered_checks),
            (True, registry.deployment_checks),
        )
        for check in registered
        if check.__module__.startswith(prefix)
    }


def test_checks_are_registered_by_path_with_their_tags():
    """What ``@register(...)`` gave before they were registered by path (issue 15)."""
    assert _registered("otp_core.") == {
        ("otp_core.checks.check_middleware", False): ("security",),
        ("otp_core.checks.check_encryption_keys", False): ("security",),
        ("otp_core.checks.check_settings", False): (),
        ("otp_core.checks.check_legacy_sessions", False): (),
        ("otp_core.checks.check_send_budgets", False): ("security",),
        ("otp_core.checks.check_plugins", False): (),
        ("otp_core.checks.check_notifications", False): (),
        ("otp_core.policy_checks.check_named_policies", False): ("security",),
        ("otp_core.policy_checks.check_policy_urls", False): ("security",),
        ("otp_core.key_checks.check_secrets_readable", False): ("database",),
        ("otp_core.admin_checks.check_admin_site", False): ("admin", "security"),
    }


def test_a_check_by_path_runs_the_function_and_registers_once():
    from otp_core.apps import CHECKS
    from otp_core.deferred import by_path, register_checks

    before = len(checks.registry.registry.registered_checks)
    register_checks(CHECKS)  # ready() run again: nothing new
    assert len(checks.registry.registry.registered_checks) == before
    with override_settings(MIDDLEWARE=[]):
        assert ids(by_path("otp_core.checks.check_middleware")()) == ["otp_core.E001"]
        # databases=[]: checks also tagged "database" stay off the (blocked) test database.
        found = checks.run_checks(tags=[checks.Tags.security], databases=[])
        assert ids(found).count("otp_core.E001") == 1


def test_every_check_function_of_those_modules_is_registered():
    """A check written into a checks module but left out of its app's table would never run."""
    import inspect
    from importlib import import_module
    from importlib.util import find_spec

    tables = []
    # The apps whose checks are registered by path, those installed here (an
    # isolation session has otp-core alone).
    for app in ("otp_core", "otp_totp", "two_factor_ui"):
        if find_spec(app) is not None:
            config = import_module(f"{app}.apps")
            tables += [*config.CHECKS, *getattr(config, "DEPLOY_CHECKS", ())]
    paths = {path for path, _tags in tables}
    assert len(paths) == len(tables)  # none listed twice
    assert "otp_core.checks.check_middleware" in paths
    for module_name in {path.rpartition(".")[0] for path in paths}:
        module = import_module(module_name)
        defined = {
            f"{module_name}.{name}"
            for name, function in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("check_") and function.__module__ == module_name
        }
        assert defined <= paths, defined - paths

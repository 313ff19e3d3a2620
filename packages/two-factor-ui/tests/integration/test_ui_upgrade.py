"""The upgrade name table against the installed packages, and the rewriter on a sample project.

Every "ours" name of ``otp_core.upgrade.names`` must exist in some
distribution (so this needs them all); the sample project under
``packages/otp-core/tests/fixtures/upgrade_sample`` (django-otp +
django-two-factor-auth the way their docs show) must pass ``check`` and its
own tests once ``python -m otp_core.upgrade`` has rewritten it.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.template import engines
from django.template.loader import get_template
from django.urls import get_resolver

from otp_core.upgrade.names import NAMES, PYTHON_KINDS

ROOT = Path(__file__).resolve().parents[4]
SAMPLE = ROOT / "packages/otp-core/tests/fixtures/upgrade_sample"
CONF_MODULES = (
    "otp_core.conf",
    "otp_totp.conf",
    "otp_hotp.conf",
    "otp_static.conf",
    "otp_email.conf",
    "otp_phone.conf",
    "otp_webauthn.conf",
    "otp_yubikey.conf",
    "two_factor_ui.conf",
)


def new_names(*kinds: str) -> list[str]:
    return sorted({n.new for n in NAMES if n.kind in kinds and n.new is not None})


def resolve(dotted: str):
    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError:
        module, _, attr = dotted.rpartition(".")
        return getattr(resolve(module), attr)


@pytest.mark.parametrize("dotted", new_names(*PYTHON_KINDS))
def test_every_new_python_name_exists(dotted):
    assert resolve(dotted) is not None


def test_every_new_setting_has_a_default():
    known = set()
    for module in CONF_MODULES:
        known.update(importlib.import_module(module).DEFAULTS)
    assert [name for name in new_names("setting") if name not in known] == []


def test_every_new_gateway_value_loads():
    from otp_phone.gateways import load_gateway_class

    for value in new_names("setting_value"):
        assert isinstance(load_gateway_class(value), type)


def test_every_new_url_name_exists():
    resolver = get_resolver()
    for name in new_names("url"):
        namespace, _, short = name.partition(":")
        _prefix, included = resolver.namespace_dict[namespace]
        assert short in included.reverse_dict, name


def test_every_new_template_library_and_command_exists():
    for name in new_names("template"):
        assert get_template(name) is not None
    libraries = engines["django"].engine.template_libraries
    assert [name for name in new_names("library") if name not in libraries] == []
    commands = get_commands()
    assert [name for name in new_names("command") if name not in commands] == []


# -- the sample project --------------------------------------------------------------------------


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")
    }
    env["SAMPLE_DB"] = str(cwd / "db.sqlite3")
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_rewritten_sample_project_passes_check_and_its_tests(tmp_path):
    project = tmp_path / "sample_project"
    shutil.copytree(SAMPLE, project)
    before = run(["manage.py", "check"], project)
    assert before.returncode != 0
    assert "No module named 'django_otp'" in before.stderr

    check = run(["-m", "otp_core.upgrade", "--check", "."], project)
    assert check.returncode == 1
    upgrade = run(["-m", "otp_core.upgrade", "."], project)
    assert upgrade.returncode == 0, upgrade.stderr
    assert "7 file(s) rewritten" in upgrade.stdout
    # What it could not map, with file and line.
    assert (
        "sample/templates/sample/secret.html:4: two_factor/twilio/sms_message.html"
        in upgrade.stderr
    )
    assert "two_factor:phone_create is now otp_phone:setup" in upgrade.stderr
    assert run(["-m", "otp_core.upgrade", "--check", "."], project).returncode == 0

    settings = (project / "sample/settings.py").read_text()
    assert '"otp_core",' in settings
    assert "django_otp" not in settings
    assert 'TWO_FACTOR_SMS_GATEWAY = "fake"' in settings

    after = run(["manage.py", "check"], project)
    assert after.returncode == 0, after.stderr
    assert "ERRORS" not in after.stderr
    tests = run(["manage.py", "test", "sample.otp_tests"], project)
    assert tests.returncode == 0, tests.stderr
    assert "Ran 6 tests" in tests.stderr


@pytest.mark.django_db
def test_the_guide_compatibility_example_runs_as_written(user):
    import re

    text = (ROOT / "docs/moving-over.rst").read_text(encoding="utf-8")
    section = text.split("Compatibility helpers\n---", 1)[1]
    block = re.search(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", section).group(1)
    code = "\n".join(line[3:] for line in block.splitlines())
    namespace = {"user": user}
    exec(compile(code, "moving-over.rst", "exec"), namespace)
    device = namespace["device"]
    device.refresh_from_db()
    assert device.last_used_at is not None
    from otp_static.models import StaticDevice

    assert StaticDevice.objects.get(user=user).verify_token(namespace["code"])

"""Keys: ``otp_generate_key``, keys from the environment, clear errors when missing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from otp_core import checks as otp_checks
from otp_core import crypto
from otp_core.keys import MissingKeys, from_environment, generate_key

TEST_PROJECT = Path(__file__).resolve().parents[3] / "test_project"


def test_generate_key_is_long_random_url_safe_text():
    keys = {generate_key() for _ in range(20)}
    assert len(keys) == 20
    for key in keys:
        assert len(key) >= 64
        assert re.fullmatch(r"[A-Za-z0-9_-]+", key)


def test_command_prints_a_key_the_checks_and_crypto_accept():
    out = StringIO()
    call_command("otp_generate_key", stdout=out)
    key = out.getvalue().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{64,}", key)
    with override_settings(OTP_ENCRYPTION_KEYS=[key]):
        assert otp_checks.check_encryption_keys() == []
        assert crypto.decrypt(crypto.encrypt("secret")) == "secret"


def test_from_environment_reads_one_or_several_keys(monkeypatch):
    monkeypatch.setenv("OTP_TEST_KEYS", " new-key-" + "n" * 32 + " , old-key-" + "o" * 32)
    assert from_environment("OTP_TEST_KEYS") == ["new-key-" + "n" * 32, "old-key-" + "o" * 32]


@pytest.mark.parametrize("value", [None, "", " , "])
def test_from_environment_unset_is_a_named_empty_list(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("OTP_TEST_KEYS", raising=False)
    else:
        monkeypatch.setenv("OTP_TEST_KEYS", value)
    keys = from_environment("OTP_TEST_KEYS")
    assert isinstance(keys, MissingKeys)
    assert keys == []
    assert keys.variable == "OTP_TEST_KEYS"


def test_missing_keys_fail_the_check_naming_the_variable_and_the_command():
    with override_settings(OTP_ENCRYPTION_KEYS=MissingKeys("MY_OTP_KEY")):
        [error] = otp_checks.check_encryption_keys()
    assert error.id == "otp_core.E003"
    assert "MY_OTP_KEY" in error.msg
    assert "manage.py otp_generate_key" in error.msg


@pytest.mark.parametrize("keys", [MissingKeys("MY_OTP_KEY"), [], [None], [""], {"a": "b"}])
def test_missing_or_malformed_keys_raise_improperly_configured_on_use(keys):
    with override_settings(OTP_ENCRYPTION_KEYS=keys):
        with pytest.raises(ImproperlyConfigured) as caught:
            crypto.encrypt("secret")
        with pytest.raises(ImproperlyConfigured):
            crypto.hash_code("123456")
    message = str(caught.value)
    assert "OTP_ENCRYPTION_KEYS" in message
    assert "manage.py otp_generate_key" in message
    if isinstance(keys, MissingKeys):
        assert "MY_OTP_KEY" in message


def _manage(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """manage.py of the test project with its keys read from an unset variable."""
    (tmp_path / "missing_key_settings.py").write_text(
        "from test_project.settings import *  # noqa: F403\n"
        "from otp_core.keys import from_environment\n"
        'OTP_ENCRYPTION_KEYS = from_environment("OTP_TEST_UNSET_KEY")\n'
    )
    env = dict(os.environ)
    env.pop("OTP_TEST_UNSET_KEY", None)
    env["DJANGO_SETTINGS_MODULE"] = "missing_key_settings"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(TEST_PROJECT)])
    return subprocess.run(
        [sys.executable, str(TEST_PROJECT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_with_the_variable_unset_manage_py_starts_and_explains(tmp_path):
    generated = _manage(tmp_path, "otp_generate_key")
    assert generated.returncode == 0, generated.stderr
    assert re.fullmatch(r"[A-Za-z0-9_-]{64,}\n", generated.stdout)

    checked = _manage(tmp_path, "check")
    assert checked.returncode != 0
    assert "KeyError" not in checked.stderr
    assert "Traceback" not in checked.stderr
    assert "otp_core.E003" in checked.stderr
    assert "OTP_TEST_UNSET_KEY" in checked.stderr
    assert "manage.py otp_generate_key" in checked.stderr

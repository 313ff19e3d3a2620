"""Fixtures of otp-hotp's tests: devices and oracle codes (pyotp, oathtool)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import shutil
import subprocess
from typing import Any

import pyotp
import pytest

from otp_hotp.models import HOTPDevice

OATHTOOL = shutil.which("oathtool") or "/usr/bin/oathtool"


def pyotp_code(device: HOTPDevice, counter: int) -> str:
    """The code pyotp computes for ``device`` at ``counter``."""
    hotp = pyotp.HOTP(
        base64.b32encode(device.bin_key).decode(),
        digits=device.digits,
        digest=getattr(hashlib, device.algorithm),
    )
    return hotp.at(counter)


def oathtool_code(device: HOTPDevice, counter: int) -> str:
    """The code oathtool (oath-toolkit; HMAC-SHA1 only in HOTP mode) computes."""
    assert device.algorithm == "sha1"
    out = subprocess.run(
        [OATHTOOL, "--hotp", f"--digits={device.digits}", f"--counter={counter}", device.key],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def make_hotp(user: Any, **kwargs: Any) -> HOTPDevice:
    kwargs.setdefault("name", "token")
    kwargs.setdefault("key", secrets.token_hex(20))
    return HOTPDevice.objects.create(user=user, **kwargs)


@pytest.fixture
def hotp_device(user) -> HOTPDevice:
    return make_hotp(user)


@pytest.fixture(name="make_hotp")
def _make_hotp_fixture():
    return make_hotp


@pytest.fixture(name="pyotp_code")
def _pyotp_code_fixture():
    return pyotp_code


@pytest.fixture(name="oathtool_code")
def _oathtool_code_fixture():
    return oathtool_code

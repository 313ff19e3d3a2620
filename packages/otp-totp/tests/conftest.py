"""Fixtures of otp-totp's tests: devices and oracle codes (pyotp, oathtool)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import shutil
import subprocess
import time
from datetime import datetime, timezone
from typing import Any

import pyotp
import pytest

from otp_totp.models import TOTPDevice

OATHTOOL = shutil.which("oathtool") or "/usr/bin/oathtool"


def mid_step_t0(step: int = 30) -> int:
    """A t0 that puts now in the middle of a step, so no test races a step edge."""
    return (int(time.time()) + step // 2) % step


def pyotp_code(device: TOTPDevice, at: float | None = None, offset_steps: int = 0) -> str:
    """The code pyotp computes for ``device`` at time ``at`` (now) plus some steps."""
    at = time.time() if at is None else at
    totp = pyotp.TOTP(
        base64.b32encode(device.bin_key).decode(),
        digits=device.digits,
        digest=getattr(hashlib, device.algorithm),
        interval=device.step,
    )
    return totp.at(int(at - device.t0) + offset_steps * device.step)


def oathtool_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code oathtool (oath-toolkit) computes for ``device`` at time ``at``."""
    at = int(time.time() if at is None else at)

    def fmt(ts: int) -> str:
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")

    out = subprocess.run(
        [
            OATHTOOL,
            f"--totp={device.algorithm}",
            f"--digits={device.digits}",
            f"--time-step-size={device.step}s",
            f"--start-time={fmt(device.t0)}",
            f"--now={fmt(at)}",
            device.key,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def make_totp(user: Any, **kwargs: Any) -> TOTPDevice:
    kwargs.setdefault("name", "phone")
    kwargs.setdefault("key", secrets.token_hex(20))
    return TOTPDevice.objects.create(user=user, **kwargs)


@pytest.fixture
def totp_device(user) -> TOTPDevice:
    return make_totp(user, t0=mid_step_t0(30))


@pytest.fixture(name="make_totp")
def _make_totp_fixture():
    return make_totp


@pytest.fixture(name="pyotp_code")
def _pyotp_code_fixture():
    return pyotp_code


@pytest.fixture(name="oathtool_code")
def _oathtool_code_fixture():
    return oathtool_code


@pytest.fixture(name="mid_step_t0")
def _mid_step_t0_fixture():
    return mid_step_t0

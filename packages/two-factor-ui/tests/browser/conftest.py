"""Fixtures of two-factor-ui's real-browser tests.

The browser fixtures (``browser``, ``context``, ``page``, ``shot``,
``virtual_authenticator``) come from :mod:`otp_core.testing_browser`, shared
with the other packages' browser tests: Debian's ``chromium`` (no browser
download), one instance for the whole run, a fresh context per test, pages
served by pytest-django's ``live_server`` on loopback. ``shot(page, name)``
saves ``<repo>/screenshots/<test name>/NN-name.png``.

Here: ``TOTPClock`` and ``hotp_code`` compute codes with pyotp, an oracle
written elsewhere, and ``password`` is the root conftest user's.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyotp
import pytest

from otp_core.testing_browser import (  # noqa: F401  (pytest finds them here)
    browser,
    check_accessible,
    context,
    page,
    pytest_runtest_makereport,
    shot,
    virtual_authenticator,
)

PASSWORD = "correct horse"


@dataclass
class TOTPClock:
    """Computes TOTP codes with pyotp and never hands out the same time step twice.

    A verified TOTP code burns its time step (replay guard), so a second sign-in
    within the same 30 seconds needs the next step's code. The verifier accepts
    one step of drift, so the next step is used at once; beyond that, wait.
    """

    secret: str
    digits: int = 6
    period: int = 30
    last_step: int = -1
    _totp: pyotp.TOTP = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._totp = pyotp.TOTP(self.secret, digits=self.digits, interval=self.period)

    def code(self) -> str:
        now_step = int(time.time()) // self.period
        step = max(now_step, self.last_step + 1)
        while step > int(time.time()) // self.period + 1:
            time.sleep(0.25)
        self.last_step = step
        return self._totp.at(step * self.period)

    def wrong_code(self) -> str:
        """A well-formed code that no step near now accepts."""
        now = time.time()
        near = {self._totp.at(now + k * self.period) for k in range(-3, 4)}
        return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def hotp_code(hex_key: str, counter: int, digits: int = 6) -> str:
    """The HOTP code of a hex key at ``counter``, computed by pyotp."""
    secret = base64.b32encode(bytes.fromhex(hex_key)).decode()
    return pyotp.HOTP(secret, digits=digits).at(counter)


@pytest.fixture
def hotp() -> Callable[..., str]:
    """``hotp(hex_key, counter)``: an HOTP code computed by pyotp."""
    return hotp_code


@pytest.fixture
def totp_clock() -> Callable[..., TOTPClock]:
    """``totp_clock(base32_secret)``: a :class:`TOTPClock` for a device's secret."""
    return TOTPClock


@pytest.fixture
def password() -> str:
    """The password of the root conftest's ``user`` fixture."""
    return PASSWORD

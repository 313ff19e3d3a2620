"""Shared fixtures of the real-browser tests: headless Chromium driven by Playwright.

The browser is Debian's ``chromium`` (Playwright's own browser download is not
used); every test gets a fresh browser context, so cookies never leak between
tests. Pages are served by pytest-django's ``live_server`` on loopback.

``shot(page, name)`` saves ``<repo>/screenshots/<test name>/NN-name.png``;
``TOTPClock`` and ``hotp_code`` compute codes with pyotp, an oracle written
elsewhere; ``virtual_authenticator`` attaches a CTAP2 authenticator through the
Chrome DevTools Protocol for the WebAuthn tests.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest

# Playwright's sync API keeps an asyncio loop running in this thread, which makes
# Django's ORM refuse synchronous queries here. Django documents this variable as
# the way out for tests; it must be set before any test touches the database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("OTP_BROWSER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1024, "height": 768}
# Generous enough for a loaded 2-core machine, short enough to fail fast.
TIMEOUT_MS = 15_000
PASSWORD = "correct horse"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium with Playwright against live_server"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    # Remember each phase's outcome so the page fixture can photograph failures.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One headless Chromium for the whole run; Playwright gives it a fresh temporary profile."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package.")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    # Several packages' browser tests run in one pytest session, and Playwright's
    # sync API allows one instance per thread: the first fixture starts it, the
    # others share it through the config.
    shared = getattr(request.config, "_otp_chromium", None)
    if shared is not None:
        yield shared
        return
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        request.config._otp_chromium = chromium  # type: ignore[attr-defined]
        yield chromium
        request.config._otp_chromium = None  # type: ignore[attr-defined]
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies and storage) for one test."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any, request: pytest.FixtureRequest, shot: Callable[..., Path]) -> Iterator[Any]:
    """A page in a fresh context; photographed if the test fails.

    An uncaught JavaScript exception on any page of the test is an error of
    the test, reported at teardown.
    """
    pg = context.new_page()
    script_errors: list[str] = []
    pg.on("pageerror", lambda error: script_errors.append(str(error)))
    yield pg
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not pg.is_closed():
        shot(pg, "failure")
    if script_errors:
        pytest.fail(f"uncaught JavaScript errors: {script_errors}")


def _test_dir_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name).strip("_")


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``shot(page, name)``: save a numbered full-page PNG of this step of the test."""
    folder = request.config.rootpath / "screenshots" / _test_dir_name(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    count = 0

    def take(pg: Any, name: str) -> Path:
        nonlocal count
        count += 1
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{count:02d}-{_test_dir_name(name)}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take


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


@dataclass
class VirtualAuthenticator:
    """A CTAP2 authenticator attached to one page through the DevTools protocol."""

    cdp: Any
    authenticator_id: str

    def credentials(self) -> list[dict[str, Any]]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})[
            "credentials"
        ]

    def set_user_verified(self, verified: bool) -> None:
        self.cdp.send(
            "WebAuthn.setUserVerified",
            {"authenticatorId": self.authenticator_id, "isUserVerified": verified},
        )


@pytest.fixture
def virtual_authenticator(page: Any) -> Iterator[VirtualAuthenticator]:
    """A resident-key, user-verifying USB authenticator (CTAP2) that answers at once."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    authenticator = VirtualAuthenticator(cdp, added["authenticatorId"])
    yield authenticator
    if not page.is_closed():
        which = {"authenticatorId": authenticator.authenticator_id}
        cdp.send("WebAuthn.removeVirtualAuthenticator", which)
        cdp.send("WebAuthn.disable")
        cdp.detach()

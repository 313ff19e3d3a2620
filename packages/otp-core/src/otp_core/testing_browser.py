"""Shared pytest fixtures for real-browser tests: headless Chromium via Playwright.

For tests only: it imports pytest, and Playwright only inside the ``browser``
fixture, so neither is a dependency of otp-core. The browser is Debian's
``chromium`` (``OTP_BROWSER_CHROMIUM`` names another; Playwright's own browser
download is not used); pages are served by pytest-django's ``live_server``.

A package's ``tests/browser/conftest.py`` takes the fixtures and hooks by
importing them into its namespace, which is how pytest finds them::

    from otp_core.testing_browser import (  # noqa: F401  (pytest finds them here)
        browser,
        context,
        page,
        pytest_runtest_makereport,
        shot,
        virtual_authenticator,
    )

and marks its tests ``pytest.mark.browser``. ``browser`` is one Chromium for
the whole pytest run, shared by every package's browser tests through
``request.config._otp_chromium`` (Playwright's sync API allows one instance
per thread); ``context`` and ``page`` are fresh per test (own cookies),
``page`` fails the test on an uncaught JavaScript error and, with
``pytest_runtest_makereport`` imported, photographs a failed test.
``shot(page, name)`` saves ``<repo>/screenshots/<test name>/NN-name.png``.
``virtual_authenticator`` attaches a CTAP2 authenticator to ``page`` through
the DevTools protocol (WebAuthn tests).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "TIMEOUT_MS",
    "VIEWPORT",
    "VirtualAuthenticator",
    "browser",
    "context",
    "page",
    "pytest_runtest_makereport",
    "shot",
    "virtual_authenticator",
]

# Playwright's sync API keeps an asyncio loop running in the test thread, which
# makes Django's ORM refuse synchronous queries there. Django documents this
# variable as the way out for tests; it must be set before a test touches the
# database, so importing this module (from a conftest) sets it.
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
#: 1024 x 768; OTP_BROWSER_WIDTH=375 (and _HEIGHT) walks the same flows at phone size.
VIEWPORT = {
    "width": int(os.environ.get("OTP_BROWSER_WIDTH", "1024")),
    "height": int(os.environ.get("OTP_BROWSER_HEIGHT", "768")),
}
#: Generous enough for a loaded 2-core machine, short enough to fail fast.
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Remember each phase's report on the item, so ``page`` can photograph failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One headless Chromium for the whole run; Playwright gives it a fresh profile."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package.")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    # Each conftest that imports this fixture is its own definition; the first
    # to run starts Chromium, the others take it from the config.
    shared = getattr(request.config, "_otp_chromium", None)
    if shared is not None:
        yield shared
        return
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        request.config._otp_chromium = chromium  # type: ignore[attr-defined]
        try:
            yield chromium
        finally:
            request.config._otp_chromium = None  # type: ignore[attr-defined]
            chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies and storage) for one test."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``shot(page, name)``: save a numbered full-page PNG of this step of the test."""
    folder = request.config.rootpath / "screenshots" / _file_name(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    count = 0

    def take(pg: Any, name: str) -> Path:
        nonlocal count
        count += 1
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{count:02d}-{_file_name(name)}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take


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


@dataclass
class VirtualAuthenticator:
    """A CTAP2 authenticator attached to one page through the DevTools protocol."""

    cdp: Any
    authenticator_id: str

    def credentials(self) -> list[dict[str, Any]]:
        """The credentials the authenticator holds (DevTools' ``WebAuthn.getCredentials``)."""
        answer = self.cdp.send(
            "WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id}
        )
        return answer["credentials"]

    def set_user_verified(self, verified: bool) -> None:
        """Whether the next ceremonies report user verification."""
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

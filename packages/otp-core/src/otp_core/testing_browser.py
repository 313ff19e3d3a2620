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
the DevTools protocol (WebAuthn tests). ``check_accessible(page, name)``
(import the fixture too) runs axe-core (from the ``axe-playwright-python``
package, which ships it: no download) on the page as it is and measures its
touch targets; it fails the test with the list of serious or critical axe
violations and of targets under 44 CSS pixels.
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
    "BLOCKING_IMPACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "MIN_TARGET_PX",
    "TIMEOUT_MS",
    "VIEWPORT",
    "VirtualAuthenticator",
    "accessibility_problems",
    "axe_violations",
    "browser",
    "check_accessible",
    "context",
    "page",
    "pytest_runtest_makereport",
    "shot",
    "small_targets",
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


# -- accessibility: axe-core and touch targets ---------------------------------

#: axe-core impacts that fail a page.
BLOCKING_IMPACTS = ("serious", "critical")
#: The smallest target a finger can be expected to hit (WCAG 2.5.5, CSS pixels).
MIN_TARGET_PX = 44

# Every visible control a person presses or types in; a radio button or a
# checkbox is measured by its label, which is what a finger hits.
_TARGETS_JS = """(minimum) => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  const name = (el) => (el.innerText || el.value || el.getAttribute("aria-label")
    || el.name || el.id || "").trim().slice(0, 40);
  const small = [];
  const controls = document.querySelectorAll(
    "button, input:not([type=hidden]), select, textarea, a.tf-primary, a.tf-button, summary");
  for (const el of controls) {
    if (!visible(el)) continue;
    let target = el;
    if (el.type === "radio" || el.type === "checkbox") {
      target = el.closest("label") || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (!target) { small.push(`${el.type} ${name(el)} has no label to press`); continue; }
    }
    const box = target.getBoundingClientRect();
    if (box.height < minimum || box.width < minimum) {
      small.push(`${target.tagName.toLowerCase()} "${name(target)}" is `
        + `${Math.round(box.width)} x ${Math.round(box.height)} px`);
    }
  }
  return small;
}"""


def axe_violations(pg: Any, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[str]:
    """axe-core's violations of ``impacts`` on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(pg)
    lines = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in impacts:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(
            f"axe {violation['impact']}: {violation['id']}: {violation['help']} [{targets}]"
        )
    return lines


def small_targets(pg: Any, minimum: int = MIN_TARGET_PX) -> list[str]:
    """Visible buttons, inputs, button-like links and choice labels under ``minimum`` px."""
    return [f"touch target: {line}" for line in pg.evaluate(_TARGETS_JS, minimum)]


def accessibility_problems(pg: Any) -> list[str]:
    """Serious or critical axe violations and small touch targets of the page."""
    return axe_violations(pg) + small_targets(pg)


@pytest.fixture
def check_accessible(shot: Callable[..., Path]) -> Callable[[Any, str], None]:
    """``check_accessible(page, name)``: photograph the page; fail with every problem of it."""

    def check(pg: Any, name: str) -> None:
        path = shot(pg, name)
        problems = accessibility_problems(pg)
        if problems:
            listing = "\n  ".join(problems)
            pytest.fail(f"{name} ({pg.url}, {path.name}):\n  {listing}", pytrace=False)

    return check

"""Fixtures of otp-yubikey's real-browser tests: headless Chromium driven by Playwright.

As in two-factor-ui's browser tests, Debian's ``chromium`` is used (no browser
download) and every test gets a fresh context; ``shot(page, name)`` saves
``<repo>/screenshots/<test name>/NN-name.png``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django documents
# this variable as the way to let tests use the ORM there anyway.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("OTP_BROWSER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
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
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda error: errors.append(str(error)))
    yield pg
    context.close()
    if errors:
        pytest.fail(f"uncaught JavaScript errors: {errors}")


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    folder = request.config.rootpath / "screenshots" / name
    shutil.rmtree(folder, ignore_errors=True)
    count = 0

    def take(pg: Any, step: str) -> Path:
        nonlocal count
        count += 1
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{count:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', step)}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take

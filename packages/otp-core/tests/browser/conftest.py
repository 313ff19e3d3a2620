"""Fixtures of otp-core's real-browser tests: those of ``otp_core.testing_browser``.

Headless Chromium (Debian's ``chromium``) driven by Playwright, one instance
shared with the other packages' browser tests; a fresh context per test;
``shot(page, name)`` saves ``<repo>/screenshots/<test name>/NN-name.png``.
"""

from __future__ import annotations

from otp_core.testing_browser import (  # noqa: F401  (pytest finds them here)
    browser,
    context,
    page,
    pytest_runtest_makereport,
    shot,
)

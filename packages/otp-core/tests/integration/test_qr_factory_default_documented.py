"""``TWO_FACTOR_QR_FACTORY`` has one default, and every page that documents it gives that one."""

from __future__ import annotations

from pathlib import Path

from otp_core.qr import DEFAULT_FACTORY

ROOT = Path(__file__).resolve().parents[4]
PAGES = [
    "docs/otp-totp.rst",
    "docs/otp-hotp.rst",
    "docs/two-factor-ui.rst",
    "packages/otp-totp/README.md",
    "packages/otp-hotp/README.md",
    "packages/two-factor-ui/README.md",
]


def test_every_page_gives_the_default_the_code_uses():
    for name in PAGES:
        lines = [
            line
            for line in (ROOT / name).read_text().splitlines()
            if line.lstrip("|` ").startswith("TWO_FACTOR_QR_FACTORY")
        ]
        assert lines, name
        for line in lines:
            assert DEFAULT_FACTORY in line, f"{name}: {line}"


def test_two_factor_ui_settings_default_is_the_same():
    from two_factor_ui.conf import DEFAULTS

    assert DEFAULTS["TWO_FACTOR_QR_FACTORY"] == DEFAULT_FACTORY

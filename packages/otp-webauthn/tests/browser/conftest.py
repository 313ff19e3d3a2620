"""Fixtures of otp-webauthn's real-browser tests.

The browser fixtures come from :mod:`otp_core.testing_browser` (Debian's
chromium, one instance for the run, a fresh context per test, ``shot``).
Here: the relying party is the live server (``http://localhost:PORT``, a
secure context), and ``authenticator(...)`` attaches a DevTools virtual
authenticator with the backup-eligibility and backup-state flags chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from otp_core.testing_browser import (  # noqa: F401  (pytest finds them here)
    VirtualAuthenticator,
    browser,
    context,
    page,
    pytest_runtest_makereport,
    shot,
)

PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def relying_party(settings, live_server):
    """The live server is the relying party: RP ID ``localhost``, its origin allowed."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    settings.OTP_WEBAUTHN_PASSWORDLESS = True
    assert live_server.url.startswith("http://localhost:")


@pytest.fixture
def authenticator(
    page: Any,  # noqa: F811  (the fixture imported above)
) -> Iterator[Callable[..., VirtualAuthenticator]]:
    """``authenticator(synced=False, transport="usb")``: a CTAP2 resident-key,
    user-verifying authenticator on ``page``; ``synced`` sets the backup
    eligibility and backup state flags (a synced passkey) or clears them."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added: list[str] = []

    def attach(*, synced: bool = False, transport: str = "usb") -> VirtualAuthenticator:
        answer = cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": transport,
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                    "defaultBackupEligibility": synced,
                    "defaultBackupState": synced,
                }
            },
        )
        added.append(answer["authenticatorId"])
        return VirtualAuthenticator(cdp, answer["authenticatorId"])

    yield attach
    if not page.is_closed():
        for authenticator_id in added:
            cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator_id})
        cdp.send("WebAuthn.disable")
        cdp.detach()


@pytest.fixture
def password() -> str:
    return PASSWORD

"""Fixtures of otp-email's tests: devices, a real SMTP server on loopback."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from otp_email.models import EmailDevice

CODE_RE = re.compile(r"\b(\d{6})\b")


def code_in(text: str) -> str:
    match = CODE_RE.search(text)
    assert match, "no code in the mail"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Accepts every message and keeps it; or refuses DATA with a 554 when told."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "554 5.0.0 Transaction failed"
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.content.decode("utf-8", "replace"),
            }
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server in a thread; Django's SMTP backend points at it."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield handler
    controller.stop()


@pytest.fixture
def refused_smtp(settings):
    """Django's SMTP backend pointed at a loopback port nobody listens on."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def email_device(user) -> EmailDevice:
    return EmailDevice.objects.create(user=user, name="Mail")


@pytest.fixture(name="code_in")
def code_in_fixture():
    """``code_in(text)``: the six-digit code in a mail body."""
    return code_in

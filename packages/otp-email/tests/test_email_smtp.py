"""Delivery through a real SMTP server on loopback (aiosmtpd), and its failures."""

from __future__ import annotations

import email
import logging
from email import policy

import pytest

from otp_email import DeliveryError

pytestmark = pytest.mark.django_db


def test_message_arrives_over_smtp(email_device, smtp_server, settings, code_in):
    settings.OTP_EMAIL_BODY_HTML_TEMPLATE = "<p>{{ token }}</p>"
    email_device.generate_challenge()
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["from"] == "no-reply@localhost"
    assert received["to"] == ["alice@example.com"]
    parsed = email.message_from_string(received["data"], policy=policy.default)
    assert parsed["Subject"] == "OTP token"
    assert parsed["From"] == "no-reply@localhost"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    code = code_in(text)
    assert f"<p>{code}</p>" in html
    assert email_device.verify_token(code)


def test_connection_refused_raises_and_stores_no_code(email_device, refused_smtp, caplog):
    with caplog.at_level(logging.WARNING, logger="otp_email"), pytest.raises(DeliveryError) as info:
        email_device.generate_challenge()
    assert "could not be sent" in str(info.value)
    assert "ConnectionRefusedError" in caplog.text
    email_device.refresh_from_db()
    assert email_device.token_hash == ""
    assert email_device.valid_until is None
    # The cooldown did not start either: nothing was sent.
    assert email_device.last_generated_at is None


def test_server_error_raises_and_stores_no_code(email_device, smtp_server, caplog, code_in):
    smtp_server.refuse = True
    with caplog.at_level(logging.WARNING, logger="otp_email"), pytest.raises(DeliveryError):
        email_device.generate_challenge()
    assert "SMTPDataError" in caplog.text
    email_device.refresh_from_db()
    assert email_device.token_hash == ""
    assert smtp_server.messages == []
    # Once the server works again, a code can be sent at once.
    smtp_server.refuse = False
    email_device.generate_challenge()
    assert email_device.verify_token(code_in(smtp_server.messages[0]["data"]))

"""backup_code_used: sent once per accepted code, with the count left."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from otp_static.models import StaticDevice

pytestmark = pytest.mark.django_db


def test_the_signal_fires_with_the_codes_left(static_device, used_codes):
    codes = static_device.generate_tokens(count=3)
    request = RequestFactory().post("/login/")
    assert static_device.verify_token(codes[1], request=request)
    assert len(used_codes) == 1
    event = used_codes[0]
    assert event["sender"] is StaticDevice
    assert event["device"].pk == static_device.pk
    assert event["request"] is request
    assert event["remaining"] == 2
    assert static_device.verify_token(codes[0])
    assert [e["remaining"] for e in used_codes] == [2, 1]
    assert used_codes[1]["request"] is None


def test_the_signal_is_silent_on_failure(static_device, used_codes):
    codes = static_device.generate_tokens(count=1)
    assert not static_device.verify_token("not-a-code")
    static_device.throttle_reset()
    assert static_device.verify_token(codes[0])
    static_device.throttle_reset()
    assert not static_device.verify_token(codes[0])
    assert [e["remaining"] for e in used_codes] == [0]


def test_a_receiver_can_warn_the_user(static_device, mailoutbox):
    """The reference docs' example: e-mail the owner when a backup code was used."""
    from django.core import mail

    from otp_static.signals import backup_code_used

    def warn(sender, device, request, remaining, **kwargs):
        device.user.email_user("Backup code used", f"A backup code was used; {remaining} are left.")

    backup_code_used.connect(warn)
    try:
        codes = static_device.generate_tokens(count=2)
        assert static_device.verify_token(codes[0])
    finally:
        backup_code_used.disconnect(warn)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert "1 are left" in mail.outbox[0].body
    assert codes[0] not in mail.outbox[0].body

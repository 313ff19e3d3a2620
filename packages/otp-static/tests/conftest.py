"""Fixtures of otp-static's tests. ``user`` and ``other_user`` come from the root conftest."""

from __future__ import annotations

from typing import Any

import pytest

from otp_static.models import StaticDevice


@pytest.fixture
def static_device(user) -> StaticDevice:
    """A confirmed, empty backup code set of ``user``."""
    return StaticDevice.objects.create(user=user, name="backup")


@pytest.fixture
def codes(static_device) -> list[str]:
    """A fresh set of the default number of codes on ``static_device``."""
    return static_device.generate_tokens()


@pytest.fixture
def used_codes():
    """Records ``backup_code_used`` as a list of keyword dicts."""
    from otp_static.signals import backup_code_used

    log: list[dict[str, Any]] = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal", None)
        log.append({"sender": sender, **kwargs})

    backup_code_used.connect(receiver, weak=False)
    yield log
    backup_code_used.disconnect(receiver)

"""Fixtures of otp-core's behaviour tests: example devices and their codes.

``user`` and ``other_user`` come from the repository's root conftest.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from otp_example.models import (
    ExampleChallengeDevice,
    ExampleDevice,
    HardwareExampleDevice,
    outbox,
)

from otp_core import oath


def code_for(device: Any, offset: int = 0) -> str:
    """The HOTP code of ``device`` at its current counter plus ``offset``."""
    return oath.format_token(oath.hotp(bytes.fromhex(device.key), device.counter + offset))


def make_device(user: Any, model: type = ExampleDevice, **kwargs: Any) -> Any:
    kwargs.setdefault("name", f"{model.__name__} of {user.get_username()}")
    if model is not ExampleChallengeDevice:
        kwargs.setdefault("key", secrets.token_hex(20))
    return model.objects.create(user=user, **kwargs)


@pytest.fixture
def device(user) -> ExampleDevice:
    """A confirmed HOTP example device of ``user`` (factor kind ``otp``)."""
    return make_device(user)


@pytest.fixture
def hw_device(user) -> HardwareExampleDevice:
    """A confirmed hardware example device of ``user`` (factor kind ``hwk``)."""
    return make_device(user, HardwareExampleDevice)


@pytest.fixture
def challenge_device(user) -> ExampleChallengeDevice:
    """A side-channel device of ``user``; sent codes land in ``outbox``."""
    outbox.clear()
    yield make_device(user, ExampleChallengeDevice)
    outbox.clear()


@pytest.fixture
def device_factory() -> Callable[..., Any]:
    return make_device


@pytest.fixture
def signal_log():
    """Records what otp-core's signals send, as (signal name, kwargs) pairs."""
    from otp_core import signals

    log: list[tuple[str, dict[str, Any]]] = []
    receivers = {}
    for name in ("verification_succeeded", "verification_failed", "device_locked_out"):

        def receiver(sender, _name=name, **kwargs):
            kwargs.pop("signal", None)
            log.append((_name, {"sender": sender, **kwargs}))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False)
    yield log
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


@pytest.fixture
def otp_code() -> Callable[..., str]:
    """``otp_code(device, offset=0)``: the device's next valid code."""
    return code_for

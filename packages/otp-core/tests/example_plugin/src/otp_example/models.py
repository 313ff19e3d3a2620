"""Two small devices that exercise the whole Device protocol.

``ExampleDevice`` is an HOTP counter device (match + replay guard).
``ExampleChallengeDevice`` sends a code first (the side-channel mixin) and
keeps the sent codes in ``outbox`` so tests can read them.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from otp_core import oath
from otp_core.models import (
    Challenge,
    Device,
    EncryptedSecretField,
    OATHDeviceMixin,
    SideChannelMixin,
)

outbox: list[str] = []


class CounterDevice(Device):
    key = EncryptedSecretField(help_text="Hex key")
    counter = models.BigIntegerField(default=0)

    verification_fields: ClassVar[tuple[str, ...]] = ("counter",)

    class Meta:
        abstract = True

    def _match(self, token: str) -> bool:
        matched = oath.verify_hotp(bytes.fromhex(self.key), token, self.counter, window=2)
        if matched is None:
            return False
        self.counter = matched + 1
        return True


class ExampleChallengeDevice(SideChannelMixin, Device):
    factor_kind = "sms"

    def get_cooldown(self) -> int:
        return 0

    def _challenge(self, request):  # type: ignore[no-untyped-def]
        code = self.generate_code()
        outbox.append(code)
        return Challenge(message="Code sent.")


class ExampleDevice(CounterDevice):
    pass


class HardwareExampleDevice(CounterDevice):
    """Same matching rule, reported as a hardware key (for step-up tests)."""

    factor_kind = "hwk"


class ExampleOATHDevice(OATHDeviceMixin, Device):
    """An HOTP device built on the shared OATH mixin, for otp-core's OATH admin tests."""

    counter = models.BigIntegerField(default=0)

    oath_kind = "hotp"
    verification_fields: ClassVar[tuple[str, ...]] = ("counter",)

    def uri_params(self):  # type: ignore[no-untyped-def]
        return {"counter": self.counter}

    def _match(self, token: str) -> bool:
        matched = oath.verify_hotp(
            self.bin_key,
            token,
            self.counter,
            window=2,
            digits=self.digits,
            algorithm=self.algorithm,
        )
        if matched is None:
            return False
        self.counter = matched + 1
        return True

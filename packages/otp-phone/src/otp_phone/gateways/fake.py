"""The development gateway: it writes the code to the ``two_factor`` log.

It logs the code on purpose, for local development only; a system check
warns when it is configured with ``DEBUG = False``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from . import Gateway

if TYPE_CHECKING:
    from ..models import PhoneDevice

__all__ = ["Fake"]

logger = logging.getLogger("two_factor")


class Fake(Gateway):
    """Logs 'Fake SMS to +31...: "Your token is: 123456"' at INFO."""

    def send_sms(self, device: PhoneDevice, token: str) -> None:
        logger.info('Fake SMS to %s: "Your token is: %s"', device.number, token)

    def make_call(self, device: PhoneDevice, token: str) -> None:
        logger.info('Fake call to %s: "Your token is: %s"', device.number, token)

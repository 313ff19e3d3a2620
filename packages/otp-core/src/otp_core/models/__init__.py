"""Abstract models for device plugins, and otp-core's own tables.

``SignedInBrowser`` records each signed-in browser; ``SendRecord`` is the
ledger that send budgets count; ``AccountThrottle`` counts failed
second-factor attempts per account. ``SideChannelMixin`` (devices that
send a code) is imported when first named: a site with only authenticator
apps never loads it.
"""

from typing import TYPE_CHECKING

from ..deferred import moved
from .account import AccountThrottle
from .browser import SignedInBrowser
from .device import Challenge, Device, DeviceManager, device_classes
from .fields import EncryptedSecretField
from .imported import DjangoOTPImportMixin
from .oath import OATHDeviceMixin
from .sends import SendRecord
from .throttling import ThrottlingMixin, VerifyNotAllowed
from .timestamps import TimestampMixin

if TYPE_CHECKING:  # imported on first use: see __getattr__ below
    from .challenge import GenerateNotAllowed, SideChannelMixin

__all__ = [
    "AccountThrottle",
    "Challenge",
    "Device",
    "DeviceManager",
    "DjangoOTPImportMixin",
    "EncryptedSecretField",
    "GenerateNotAllowed",
    "OATHDeviceMixin",
    "SendRecord",
    "SideChannelMixin",
    "SignedInBrowser",
    "ThrottlingMixin",
    "TimestampMixin",
    "VerifyNotAllowed",
    "device_classes",
]

__getattr__ = moved(
    __name__,
    {
        "GenerateNotAllowed": "otp_core.models.challenge",
        "SideChannelMixin": "otp_core.models.challenge",
    },
)

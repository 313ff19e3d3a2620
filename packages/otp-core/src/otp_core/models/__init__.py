"""Abstract models for device plugins, and otp-core's own tables.

``SignedInBrowser`` records each signed-in browser; ``SendRecord`` is the
ledger that send budgets count; ``AccountThrottle`` counts failed
second-factor attempts per account.
"""

from .account import AccountThrottle
from .browser import SignedInBrowser
from .challenge import GenerateNotAllowed, SideChannelMixin
from .device import Challenge, Device, DeviceManager, device_classes
from .fields import EncryptedSecretField
from .imported import DjangoOTPImportMixin
from .oath import OATHDeviceMixin
from .sends import SendRecord
from .throttling import ThrottlingMixin, VerifyNotAllowed
from .timestamps import TimestampMixin

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

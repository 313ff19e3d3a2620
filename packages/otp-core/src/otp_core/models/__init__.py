"""Abstract models for device plugins. otp-core itself has no tables."""

from .challenge import GenerateNotAllowed, SideChannelMixin
from .device import Challenge, Device, DeviceManager, device_classes
from .fields import EncryptedSecretField
from .imported import DjangoOTPImportMixin
from .oath import OATHDeviceMixin
from .throttling import ThrottlingMixin, VerifyNotAllowed
from .timestamps import TimestampMixin

__all__ = [
    "Challenge",
    "Device",
    "DeviceManager",
    "DjangoOTPImportMixin",
    "EncryptedSecretField",
    "GenerateNotAllowed",
    "OATHDeviceMixin",
    "SideChannelMixin",
    "ThrottlingMixin",
    "TimestampMixin",
    "VerifyNotAllowed",
    "device_classes",
]

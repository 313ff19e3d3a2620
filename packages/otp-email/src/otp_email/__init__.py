"""E-mail codes for otp-core: a code is mailed, stored hashed, and used once."""

from .exceptions import DeliveryError

__all__ = ["DeliveryError"]

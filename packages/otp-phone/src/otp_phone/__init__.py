"""Text message and voice call codes for otp-core."""

from .exceptions import GatewayError

__all__ = ["GatewayError"]

"""otp-totp: time-based one-time passwords (RFC 6238) for otp-core."""

__version__ = "0.1.0"

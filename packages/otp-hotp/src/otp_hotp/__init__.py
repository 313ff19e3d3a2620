"""otp-hotp: counter-based one-time passwords (RFC 4226) for otp-core."""

__version__ = "0.1.0"

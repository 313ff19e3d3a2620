"""otp-webauthn: security keys and passkeys (WebAuthn) for otp-core."""

__version__ = "0.1.0"

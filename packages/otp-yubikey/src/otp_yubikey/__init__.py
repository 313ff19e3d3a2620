"""otp-yubikey: YubiKey OTP (local AES keys and YK-VAL 2.0 servers) for otp-core."""

__version__ = "0.1.0"

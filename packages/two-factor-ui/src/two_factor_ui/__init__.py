"""two-factor-ui: login, setup, backup codes and profile pages for otp-core."""

__version__ = "0.1.0"

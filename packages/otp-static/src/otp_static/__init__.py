"""Backup (recovery) codes for otp-core: single-use, stored as keyed hashes."""

__version__ = "0.1.0"

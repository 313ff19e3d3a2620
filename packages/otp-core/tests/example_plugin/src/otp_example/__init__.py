"""A test-only plugin for otp-core's own tests (not published)."""

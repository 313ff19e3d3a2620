"""Settings of otp-email with django-otp's names and defaults, read at access time."""

from __future__ import annotations

from typing import Any

from otp_core.conf import AppSettings

__all__ = ["DEFAULTS", "email_settings"]

DEFAULTS: dict[str, Any] = {
    # From address; None means DEFAULT_FROM_EMAIL.
    "OTP_EMAIL_SENDER": None,
    "OTP_EMAIL_SUBJECT": "OTP token",
    # A template string for the body; when None the template at the path is used.
    "OTP_EMAIL_BODY_TEMPLATE": None,
    "OTP_EMAIL_BODY_TEMPLATE_PATH": "otp_email/token.txt",
    # Optional HTML alternative, as a template string or a template path.
    "OTP_EMAIL_BODY_HTML_TEMPLATE": None,
    "OTP_EMAIL_BODY_HTML_TEMPLATE_PATH": None,
    # Seconds a mailed code stays valid.
    "OTP_EMAIL_TOKEN_VALIDITY": 300,
    # Throttling of failed verifications (1, 2, 4 ... seconds times this).
    "OTP_EMAIL_THROTTLE_FACTOR": 1,
    # Seconds between two mails to one device (the mail-bomb guard); 0 disables.
    "OTP_EMAIL_COOLDOWN_DURATION": 60,
    # Domains users may set up an e-mail device at (a domain allows its
    # subdomains); None allows any. Addresses at IP literals are always refused.
    # How many codes go out is limited by otp-core's OTP_SEND_BUDGET_* settings.
    "OTP_EMAIL_ALLOWED_DOMAINS": None,
}


email_settings = AppSettings(DEFAULTS)

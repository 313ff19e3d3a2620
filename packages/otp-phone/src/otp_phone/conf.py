"""Settings of otp-phone with django-two-factor-auth's names and defaults."""

from __future__ import annotations

from typing import Any

from otp_core.conf import AppSettings

__all__ = ["DEFAULTS", "phone_settings"]

DEFAULTS: dict[str, Any] = {
    # Gateways: a dotted path of a class, or a name from the "otp_phone.gateways"
    # entry point group ("fake", "twilio", or a third party's). None: method off.
    "TWO_FACTOR_SMS_GATEWAY": None,
    "TWO_FACTOR_CALL_GATEWAY": None,
    # Digits of a sent code (6 or 8).
    "TWO_FACTOR_TOTP_DIGITS": 6,
    # Throttling of failed verifications (1, 2, 4 ... seconds times this).
    "TWO_FACTOR_PHONE_THROTTLE_FACTOR": 1,
    # Region for numbers typed without a country code, e.g. "NL".
    "PHONENUMBER_DEFAULT_REGION": None,
    # Seconds a sent code stays valid.
    "OTP_PHONE_TOKEN_VALIDITY": 300,
    # Seconds between two messages or calls to one device; 0 disables.
    "OTP_PHONE_COOLDOWN_DURATION": 60,
    # Base URL ("https://example.com") of gateway callbacks, such as the
    # TwiML a Twilio call fetches. Required with a call gateway that needs
    # callbacks (check otp_phone.E010): never taken from the request's Host.
    "OTP_PHONE_CALLBACK_BASE_URL": None,
    # Number types a user may set up (phonenumbers.PhoneNumberType names).
    # Personal lines only: no premium-rate, shared-cost, toll-free, personal
    # ("follow-me"), UAN, pager, voicemail or unknown numbers.
    "OTP_PHONE_ALLOWED_NUMBER_TYPES": ["MOBILE", "FIXED_LINE", "FIXED_LINE_OR_MOBILE", "VOIP"],
    # Region codes (e.g. ["NL", "BE"]) whose numbers may be set up; None: any.
    "OTP_PHONE_ALLOWED_REGIONS": None,
    # Seconds a signed voice-call URL stays usable.
    "OTP_PHONE_CALL_URL_MAX_AGE": 120,
    # Refuse TwiML requests without a valid X-Twilio-Signature while
    # TWILIO_AUTH_TOKEN is set. Switch off only knowingly (check otp_phone.W003).
    "OTP_PHONE_VALIDATE_TWILIO_SIGNATURE": True,
    # Twilio (see the Twilio gateway).
    "TWILIO_ACCOUNT_SID": None,
    "TWILIO_AUTH_TOKEN": None,
    "TWILIO_CALLER_ID": None,
    "TWILIO_MESSAGING_SERVICE_SID": None,
    # Seconds to wait for Twilio's API; and another API base URL (a proxy, a test server).
    "TWILIO_TIMEOUT": 10,
    "TWILIO_API_BASE_URL": None,
}


phone_settings = AppSettings(DEFAULTS)

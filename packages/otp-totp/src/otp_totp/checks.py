"""System checks of otp-totp's settings."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error

from otp_core.checks import issuer_and_image_errors, number_error
from otp_core.qr import factory_problem

from .conf import totp_settings


def check_totp_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    if not isinstance(totp_settings.OTP_TOTP_SYNC, bool):
        errors.append(Error("OTP_TOTP_SYNC must be True or False.", id="otp_totp.E001"))
    factor = totp_settings.OTP_TOTP_THROTTLE_FACTOR
    error = number_error("OTP_TOTP_THROTTLE_FACTOR", factor, "otp_totp.E002")
    if error:
        errors.append(error)
    errors += issuer_and_image_errors(
        "OTP_TOTP",
        totp_settings.OTP_TOTP_ISSUER,
        totp_settings.OTP_TOTP_IMAGE,
        "otp_totp.E003",
        "otp_totp.E004",
    )
    digits = totp_settings.TWO_FACTOR_TOTP_DIGITS
    if isinstance(digits, bool) or digits not in (6, 8):
        errors.append(Error("TWO_FACTOR_TOTP_DIGITS must be 6 or 8.", id="otp_totp.E005"))
    problem = factory_problem()
    if problem:
        errors.append(Error(problem, id="otp_totp.E006"))
    return errors

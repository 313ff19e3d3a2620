"""System checks of otp-hotp's settings."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from otp_core.checks import issuer_and_image_errors, number_error
from otp_core.qr import factory_problem

from .conf import hotp_settings


@register()
def check_hotp_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    factor = hotp_settings.OTP_HOTP_THROTTLE_FACTOR
    error = number_error("OTP_HOTP_THROTTLE_FACTOR", factor, "otp_hotp.E001")
    if error:
        errors.append(error)
    errors += issuer_and_image_errors(
        "OTP_HOTP",
        hotp_settings.OTP_HOTP_ISSUER,
        hotp_settings.OTP_HOTP_IMAGE,
        "otp_hotp.E002",
        "otp_hotp.E003",
    )
    problem = factory_problem()
    if problem:
        errors.append(Error(problem, id="otp_hotp.E004"))
    return errors

"""System checks of otp-hotp's settings."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from otp_core.qr import factory_problem

from .conf import hotp_settings


@register()
def check_hotp_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    factor = hotp_settings.OTP_HOTP_THROTTLE_FACTOR
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor < 0:
        errors.append(
            Error("OTP_HOTP_THROTTLE_FACTOR must be a number of 0 or more.", id="otp_hotp.E001")
        )
    issuer = hotp_settings.OTP_HOTP_ISSUER
    if issuer is not None and not isinstance(issuer, str) and not callable(issuer):
        errors.append(
            Error(
                "OTP_HOTP_ISSUER must be a string, a callable taking the device, or None.",
                id="otp_hotp.E002",
            )
        )
    image = hotp_settings.OTP_HOTP_IMAGE
    if image is not None and not isinstance(image, str):
        errors.append(Error("OTP_HOTP_IMAGE must be a URL or None.", id="otp_hotp.E003"))
    problem = factory_problem()
    if problem:
        errors.append(Error(problem, id="otp_hotp.E004"))
    return errors

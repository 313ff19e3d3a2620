"""System checks of otp-static's settings: a wrong value fails at start-up."""

from __future__ import annotations

import re
from typing import Any

from django.core.checks import Error, Warning, register

from otp_core.checks import number_error

from .codes import MAX_CODE_LENGTH, entropy_bits
from .conf import static_settings

#: Below this a code can be guessed too easily (django-otp's codes have 40).
MIN_ENTROPY_BITS = 40

_FORBIDDEN = re.compile(r"[\s\-\u2010-\u2015\u2212]")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@register()
def check_static_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    errors: list[Any] = []
    factor = static_settings.OTP_STATIC_THROTTLE_FACTOR
    error = number_error("OTP_STATIC_THROTTLE_FACTOR", factor, "otp_static.E001")
    if error:
        errors.append(error)
    count = static_settings.OTP_STATIC_TOKEN_COUNT
    if not _whole(count) or not 1 <= count <= 1000:
        errors.append(
            Error(
                f"OTP_STATIC_TOKEN_COUNT must be a whole number from 1 to 1000, not {count!r}.",
                id="otp_static.E002",
            )
        )
    length = static_settings.OTP_STATIC_TOKEN_LENGTH
    length_ok = _whole(length) and 4 <= length <= MAX_CODE_LENGTH
    if not length_ok:
        errors.append(
            Error(
                f"OTP_STATIC_TOKEN_LENGTH must be a whole number from 4 to "
                f"{MAX_CODE_LENGTH}, not {length!r}.",
                id="otp_static.E003",
            )
        )
    alphabet = static_settings.OTP_STATIC_TOKEN_ALPHABET
    alphabet_ok = (
        isinstance(alphabet, str) and len(set(alphabet)) >= 2 and not _FORBIDDEN.search(alphabet)
    )
    if not alphabet_ok:
        errors.append(
            Error(
                "OTP_STATIC_TOKEN_ALPHABET must be a string of at least 2 distinct "
                "characters without spaces or hyphens.",
                hint="Spaces and hyphens are separators that input ignores.",
                id="otp_static.E004",
            )
        )
    low = static_settings.OTP_STATIC_LOW_CODES
    if not _whole(low) or low < 0:
        errors.append(
            Error(
                f"OTP_STATIC_LOW_CODES must be a whole number of 0 or more, not {low!r}.",
                id="otp_static.E005",
            )
        )
    if length_ok and alphabet_ok:
        bits = entropy_bits(length, alphabet)
        if bits < MIN_ENTROPY_BITS:
            errors.append(
                Warning(
                    f"Backup codes of {length} characters from {len(set(alphabet))} symbols "
                    f"have {bits:.1f} bits of entropy, less than {MIN_ENTROPY_BITS}.",
                    hint="Raise OTP_STATIC_TOKEN_LENGTH or use a larger alphabet.",
                    id="otp_static.W001",
                )
            )
    return errors

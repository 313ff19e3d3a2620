"""django-two-factor-auth's gateway setting values, mapped to ours.

A site moving over keeps ``TWO_FACTOR_SMS_GATEWAY =
"two_factor.gateways.twilio.gateway.Twilio"``; it loads our Twilio gateway and
start-up warns once (``DeprecationWarning``) with the value to write instead.
"""

from __future__ import annotations

import warnings

from ..conf import phone_settings

__all__ = ["LEGACY_GATEWAYS", "current_name", "warn_legacy_settings"]

#: django-two-factor-auth's dotted paths -> our gateway names (entry points).
LEGACY_GATEWAYS: dict[str, str] = {
    "two_factor.gateways.twilio.gateway.Twilio": "twilio",
    "two_factor.gateways.fake.Fake": "fake",
}

SETTINGS = ("TWO_FACTOR_SMS_GATEWAY", "TWO_FACTOR_CALL_GATEWAY")


def current_name(value: str) -> str:
    """Our gateway name for a setting value; other values are returned unchanged."""
    return LEGACY_GATEWAYS.get(value, value)


def warn_legacy_settings() -> list[str]:
    """Warn once per setting that holds a django-two-factor-auth value; their names."""
    found = []
    for name in SETTINGS:
        value = getattr(phone_settings, name)
        if isinstance(value, str) and value in LEGACY_GATEWAYS:
            found.append(name)
            warnings.warn(
                f"{name} = {value!r} is django-two-factor-auth's gateway; otp-phone "
                f"uses its own: set {name} = {LEGACY_GATEWAYS[value]!r}.",
                DeprecationWarning,
                stacklevel=2,
            )
    return found

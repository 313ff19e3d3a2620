"""The input for one-time codes, so every form asks for them the same way."""

from __future__ import annotations

from typing import Any

from django import forms

__all__ = ["OneTimeCodeInput"]


class OneTimeCodeInput(forms.TextInput):
    """A text input that phones fill from SMS and password managers from apps.

    ``autocomplete="one-time-code"`` lets browsers offer a received code,
    ``inputmode="numeric"`` brings up the number pad, and no auto-capitalising
    or spell-checking gets in the way of alphanumeric backup codes.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
                **(attrs or {}),
            }
        )

"""The words of a refused code that every form shares, plural-aware.

A form formats them with ``%`` and a ``seconds`` parameter (as
:func:`otp_core.forms.refusal_error` does); ``ngettext_lazy`` with the
``"seconds"`` key picks "1 second" or "5 seconds" in every language.
"""

from __future__ import annotations

from django.utils.translation import ngettext_lazy

__all__ = ["THROTTLED_MESSAGE"]

#: A code refused while the device (or the account) waits out its delay.
THROTTLED_MESSAGE = ngettext_lazy(
    "Too many failed attempts. Please wait %(seconds)d second and try again.",
    "Too many failed attempts. Please wait %(seconds)d seconds and try again.",
    "seconds",
)

"""The words of a refused code that every form shares, plural-aware.

A form formats them with ``%`` and a ``seconds`` parameter (as
:func:`otp_core.forms.refusal_error` does), which picks "1 second" or
"5 seconds" in the active language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import ngettext

__all__ = ["THROTTLED_MESSAGE", "PluralMessage"]


class PluralMessage:
    """A message whose wording follows a number it is formatted with.

    ``message % {"seconds": 5}`` calls ``pick(5)`` (a function returning
    ``ngettext(singular, plural, n)``, so the active language picks the form)
    and formats the result: what ``ngettext_lazy(singular, plural, "seconds")``
    does, without the two classes ``ngettext_lazy`` builds for every message
    (about 25 KiB of each worker's memory apiece). ``pick`` is a module-level
    function so that ``makemessages`` finds its strings and pickle its name.
    """

    __slots__ = ("key", "pick")

    def __init__(self, key: str, pick: Callable[[int], str]) -> None:
        self.key = key
        self.pick = pick

    def __mod__(self, params: Mapping[str, Any]) -> str:
        return self.pick(params[self.key]) % params

    def __repr__(self) -> str:
        return f"<PluralMessage {self.pick.__qualname__} by {self.key!r}>"


def _throttled(seconds: int) -> str:
    return ngettext(
        "Too many failed attempts. Please wait %(seconds)d second and try again.",
        "Too many failed attempts. Please wait %(seconds)d seconds and try again.",
        seconds,
    )


#: A code refused while the device (or the account) waits out its delay.
THROTTLED_MESSAGE = PluralMessage("seconds", _throttled)

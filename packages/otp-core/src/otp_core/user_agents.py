"""A short, readable name for a browser from its User-Agent: "Chrome on Android".

Enough for a person to recognise their own browsers in a list; no version
numbers (they change and identify more than needed), no parsing library.
"""

from __future__ import annotations

from django.utils.translation import gettext

__all__ = ["describe_user_agent"]

# Order matters: Edge and Opera say "Chrome", Chrome says "Safari",
# Android says "Linux", iOS says "like Mac OS X".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def _first(user_agent: str, table: tuple[tuple[str, str], ...]) -> str:
    for marker, name in table:
        if marker in user_agent:
            return name
    return ""


def describe_user_agent(user_agent: str | None) -> str:
    """ "Chrome on Android", "Firefox", "Unknown browser": at most 64 characters."""
    text = (user_agent or "")[:1024]
    browser, system = _first(text, _BROWSERS), _first(text, _SYSTEMS)
    if browser and system:
        label = gettext("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    else:
        label = browser or system or gettext("Unknown browser")
    return label[:64]

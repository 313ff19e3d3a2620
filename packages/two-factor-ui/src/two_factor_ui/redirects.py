"""Where to send the user next: only to this site's own pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["safe_next", "setting_url"]


def setting_url(name: str, default: str = "/") -> str:
    """``settings.<name>`` (a path or URL name) as a URL.

    A path (``"/accounts/profile/"``) or an absolute URL is taken as it is:
    ``resolve_url()`` would first try it as a URL name, which builds the URL
    resolver's reverse dictionary in a worker that may not need it.
    """
    value = getattr(settings, name, None)
    if not value:
        return default
    if isinstance(value, str) and value.startswith(("/", "https://", "http://")):
        return value
    return resolve_url(value)


def safe_next(request: HttpRequest, candidate: Any, fallback: str) -> str:
    """``candidate`` if it points to an allowed host, otherwise ``fallback``.

    Allowed hosts are the request's own host plus ``ALLOWED_HOSTS`` without
    wildcards; HTTPS requests only accept HTTPS targets.
    """
    if isinstance(candidate, str) and candidate:
        hosts = {request.get_host()} | {
            h
            for h in getattr(settings, "ALLOWED_HOSTS", [])
            if h and "*" not in h and not h.startswith(".")
        }
        if url_has_allowed_host_and_scheme(
            candidate, allowed_hosts=hosts, require_https=request.is_secure()
        ):
            return candidate
    return fallback

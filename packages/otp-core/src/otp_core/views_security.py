"""Headers every account page of the otp packages sends, whatever the project's middleware.

A page that asks for a password or a code, or shows a key, must not be framed
by another site (clickjacking) nor kept by a cache. :func:`protect_page` says
so on the response itself: ``X-Frame-Options: DENY``, the CSP directive
``frame-ancestors 'none'`` and Django's ``never_cache`` headers.

A CSP middleware does not write its policy over a header a view has set, so
when the project runs one (django-csp, or Django's own from 6.0) the
directive is handed to it as a per-response override instead, and the
site's policy keeps every other directive. A policy already on the response
gets the directive appended when it has no ``frame-ancestors`` of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.cache import add_never_cache_headers

__all__ = ["CSP_HEADER", "FRAME_ANCESTORS", "deny_framing", "protect_page"]

CSP_HEADER = "Content-Security-Policy"
FRAME_ANCESTORS = "frame-ancestors 'none'"
DJANGO_CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"
DJANGO_BUILTIN_CSP_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"


def _directive_names(policy: str) -> set[str]:
    return {d.split(None, 1)[0].lower() for d in policy.split(";") if d.strip()}


def _handed_to_csp_middleware(response: HttpResponseBase) -> bool:
    """Ask the project's CSP middleware to send ``frame-ancestors 'none'``, if it runs one."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or ())
    if DJANGO_CSP_MIDDLEWARE in middleware:
        # django-csp (3.x and 4.x): csp_replace's per-response attribute.
        replace = dict(getattr(response, "_csp_replace", None) or {})
        replace["frame-ancestors"] = ["'none'"]
        response._csp_replace = replace  # type: ignore[attr-defined]
        return True
    base = getattr(settings, "SECURE_CSP", None)
    if DJANGO_BUILTIN_CSP_MIDDLEWARE in middleware and base:
        # Django 6.0+: a per-response policy replacing SECURE_CSP for this response.
        config = dict(getattr(response, "_csp_config", None) or base)
        config["frame-ancestors"] = ["'none'"]
        response._csp_config = config  # type: ignore[attr-defined]
        return True
    return False


def deny_framing(response: HttpResponseBase) -> HttpResponseBase:
    """Forbid framing of ``response`` by any site, keeping the site's CSP."""
    response["X-Frame-Options"] = "DENY"
    policy = response.get(CSP_HEADER, "").strip()
    if policy:
        if "frame-ancestors" not in _directive_names(policy):
            response[CSP_HEADER] = f"{policy.rstrip('; ')}; {FRAME_ANCESTORS}"
    elif not _handed_to_csp_middleware(response):
        response[CSP_HEADER] = FRAME_ANCESTORS
    return response


def protect_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a view (or ``dispatch`` through ``method_decorator``): no framing, no caching."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = view(*args, **kwargs)
        add_never_cache_headers(response)
        return deny_framing(response)

    return wrapper

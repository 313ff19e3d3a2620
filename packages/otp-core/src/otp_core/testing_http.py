"""A browser-less HTTP client for tests against pytest-django's ``live_server``.

Tests that must prove a limit "over HTTP" (send budgets, say) drive the real
pages through a real socket with it: cookies are kept, and the CSRF token of
the session is sent with every POST, as a browser's form would.
"""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

__all__ = ["LiveBrowser", "LiveResponse"]


@dataclass(frozen=True)
class LiveResponse:
    status: int
    url: str
    text: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class LiveBrowser:
    """GET and POST against ``base_url`` (e.g. ``live_server.url``) with one cookie jar.

    Redirects are not followed: a test sees the 302 and where it points.
    """

    def __init__(self, base_url: str, *, timeout: float = 30) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("LiveBrowser needs an http(s) base URL.")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def cookie(self, name: str) -> str:
        """The value of cookie ``name`` (empty when unset)."""
        return next((c.value or "" for c in self.cookies if c.name == name), "")

    def _open(self, request: urllib.request.Request) -> LiveResponse:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read().decode("utf-8", "replace")
                return LiveResponse(response.status, response.geturl(), body)
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            location = error.headers.get("Location") or error.geturl()
            return LiveResponse(error.code, location, body)

    def get(self, path: str) -> LiveResponse:
        url = self.base_url + path  # http(s), checked in __init__
        return self._open(urllib.request.Request(url, method="GET"))  # noqa: S310

    def post(self, path: str, data: dict[str, str]) -> LiveResponse:
        """POST ``data`` as a form, with the session's CSRF token."""
        fields = {"csrfmiddlewaretoken": self.cookie("csrftoken"), **data}
        body = urllib.parse.urlencode(fields).encode()
        url = self.base_url + path  # http(s), checked in __init__
        request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("X-CSRFToken", self.cookie("csrftoken"))
        return self._open(request)

"""``OTPPolicyMiddleware``: policies for URLs of views you do not own.

``OTP_POLICY_URLS`` lists (path prefix or regular expression, policy name)
pairs; the first that matches ``request.path_info`` decides, and a ``None``
policy exempts what it matches. A string starting with ``^`` or a compiled
pattern is a regular expression (``re.search``); any other string is a path
prefix. The login and step-up pages are never covered, so no policy can
send a user round in circles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch

from .access import (
    Access,
    check_access,
    default_login_url,
    insufficient_authentication,
    note_requirement,
    step_up_url,
    wants_json,
)
from .conf import otp_settings

__all__ = ["OTPPolicyMiddleware", "UrlRule", "compile_rules", "policy_for_path"]

UrlRule = tuple["re.Pattern[str] | str", "str | None"]


Matcher = Callable[[str], bool]


def _prefix(prefix: str) -> Matcher:
    return lambda path: path.startswith(prefix)


def _regex(pattern: re.Pattern[str]) -> Matcher:
    return lambda path: pattern.search(path) is not None


def compile_rules(rules: Iterable[Any]) -> list[tuple[Matcher, str | None]]:
    """Matchers for ``OTP_POLICY_URLS``; ValueError names the first bad entry."""
    compiled: list[tuple[Matcher, str | None]] = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, (list, tuple)) or len(rule) != 2:
            raise ValueError(f"OTP_POLICY_URLS[{index}] must be a (path, policy name) pair.")
        pattern, name = rule
        if name is not None and not isinstance(name, str):
            raise ValueError(f"OTP_POLICY_URLS[{index}]: the policy must be a name or None.")
        if isinstance(pattern, re.Pattern):
            compiled.append((_regex(pattern), name))
        elif isinstance(pattern, str) and pattern.startswith("^"):
            try:
                regex = re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"OTP_POLICY_URLS[{index}]: bad regular expression: {exc}."
                ) from None
            compiled.append((_regex(regex), name))
        elif isinstance(pattern, str) and pattern.startswith("/"):
            compiled.append((_prefix(pattern), name))
        else:
            raise ValueError(
                f"OTP_POLICY_URLS[{index}]: the path must be a prefix starting with '/' "
                "or a regular expression (a string starting with '^' or re.compile(...))."
            )
    return compiled


def policy_for_path(path: str, rules: Iterable[Any] | None = None) -> str | None:
    """The policy name ``OTP_POLICY_URLS`` gives ``path`` (None: not covered)."""
    for matches, name in compile_rules(otp_settings.OTP_POLICY_URLS if rules is None else rules):
        if matches(path):
            return name
    return None


class OTPPolicyMiddleware:
    """Applies ``OTP_POLICY_URLS``. Put it after ``otp_core.middleware.OTPMiddleware``."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.rules = compile_rules(otp_settings.OTP_POLICY_URLS or [])
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    @cached_property
    def _exempt_paths(self) -> frozenset[str]:
        # Resolved on the first covered request, when the URLconf is loaded.
        paths = set()
        for url in (default_login_url, step_up_url):
            try:
                value = url()
            except NoReverseMatch:
                continue
            if value:
                paths.add(value.split("?")[0])
        return frozenset(paths)

    def _policy(self, request: HttpRequest) -> str | None:
        path = request.path_info
        for matches, name in self.rules:
            if matches(path):
                if name is None or request.path in self._exempt_paths:
                    return None
                return name
        return None

    def _refusal(self, request: HttpRequest, name: str, access: Access) -> HttpResponse:
        if access is Access.ANONYMOUS:
            return redirect_to_login(request.get_full_path(), default_login_url())
        if wants_json(request):
            return insufficient_authentication(request, name)
        note_requirement(request, name)
        target = step_up_url() or default_login_url()
        return redirect_to_login(request.get_full_path(), target)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        name = self._policy(request)
        if name is not None:
            access = check_access(request, name)
            if access is not Access.GRANTED:
                return self._refusal(request, name, access)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        name = self._policy(request)
        if name is not None:
            access = await sync_to_async(check_access)(request, name)
            if access is not Access.GRANTED:
                return self._refusal(request, name, access)
        return await self.get_response(request)

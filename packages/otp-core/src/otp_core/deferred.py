"""System checks and signal receivers named by dotted path, imported on first call.

A worker serving sign-ins never runs a system check and seldom sends a
notification, so an ``AppConfig.ready()`` registers those through
:func:`by_path` and their modules stay out of the worker's memory until used
(``manage.py check``, ``migrate`` and ``runserver`` still run every check).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from django.core.checks import register

__all__ = ["by_path", "register_checks"]


@functools.cache
def by_path(path: str) -> Callable[..., Any]:
    """A function that calls ``path`` (``"package.module.name"``), importing it on first call.

    The same path gives the same function, so registering it twice (a
    ``ready()`` run again) registers it once, as with the function itself.
    """
    module_name, _, name = path.rpartition(".")

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(import_module(module_name), name)(*args, **kwargs)

    call.__module__ = module_name
    call.__name__ = call.__qualname__ = name
    return call


def register_checks(checks: Iterable[tuple[str, tuple[str, ...]]], *, deploy: bool = False) -> None:
    """Register each ``(path, tags)`` check with exactly those tags, without importing it."""
    for path, tags in checks:
        register(by_path(path), *tags, deploy=deploy)

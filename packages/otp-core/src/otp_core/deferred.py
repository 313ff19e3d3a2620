"""Checks, signal receivers and views named by dotted path, imported on first use.

A worker serving sign-ins never runs a system check, seldom sends a
notification and may never serve an account page, so an
``AppConfig.ready()`` registers checks and receivers through :func:`by_path`
and a URLconf routes such pages through :func:`lazy_view`: their modules
stay out of the worker's memory until used (``manage.py check``, ``migrate``
and ``runserver`` still run every check). A module whose rarely used names
live elsewhere keeps them importable from it through :func:`moved`.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any

from django.utils.module_loading import import_string

__all__ = [
    "LAZY_VIEW_ATTRIBUTE",
    "by_path",
    "lazy_view",
    "moved",
    "register_checks",
    "view_class",
]

#: Attribute of a :func:`lazy_view` function: the dotted path of its view class.
LAZY_VIEW_ATTRIBUTE = "lazy_view_class"


def _split(path: str) -> tuple[str, str]:
    module_name, _, name = path.rpartition(".")
    if not module_name or not name:
        raise ValueError(f"A dotted path is needed, not {path!r}.")
    return module_name, name


def _named(function: Callable[..., Any], module_name: str, name: str) -> Callable[..., Any]:
    """``function`` named as the object ``module_name.name`` (for URL tools and check listings)."""
    function.__module__ = module_name
    function.__name__ = function.__qualname__ = name
    return function


@functools.cache
def by_path(path: str) -> Callable[..., Any]:
    """A function that calls ``path`` (``"package.module.name"``), importing it on first call.

    The same path gives the same function, so registering it twice (a
    ``ready()`` run again) registers it once, as with the function itself.
    """
    module_name, name = _split(path)

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(import_module(module_name), name)(*args, **kwargs)

    return _named(call, module_name, name)


def register_checks(checks: Iterable[tuple[str, tuple[str, ...]]], *, deploy: bool = False) -> None:
    """Register each ``(path, tags)`` check with exactly those tags, without importing it."""
    from django.core.checks import register

    for path, tags in checks:
        register(by_path(path), *tags, deploy=deploy)


def lazy_view(path: str, **initkwargs: Any) -> Callable[..., Any]:
    """A view function for the class-based view at ``path``, imported on its first request.

    ``path("setup/", lazy_view("pkg.views.SetupView"), ...)`` imports the
    class and calls ``as_view(**initkwargs)`` when the first request arrives.
    The pattern's name, its ``lookup_str`` and CSRF protection are as with
    ``SetupView.as_view()``.
    """
    module_name, name = _split(path)
    found: list[Callable[..., Any]] = []
    lock = threading.Lock()

    def view(request: Any, *args: Any, **kwargs: Any) -> Any:
        if not found:
            with lock:
                if not found:
                    found.append(import_string(path).as_view(**initkwargs))
        return found[0](request, *args, **kwargs)

    view.__doc__ = f"``{path}``, imported on its first request."
    setattr(view, LAZY_VIEW_ATTRIBUTE, path)
    return _named(view, module_name, name)


def view_class(callback: Any) -> type | None:
    """The class behind a URL pattern's ``callback``, or None for a function view.

    ``as_view()``'s ``view_class``, or the class a :func:`lazy_view` names
    (imported now: for checks and tools, not for requests).
    """
    found = getattr(callback, "view_class", None)
    path = getattr(callback, LAZY_VIEW_ATTRIBUTE, None)
    if found is None and isinstance(path, str):
        found = import_string(path)
    return found if isinstance(found, type) else None


def moved(owner: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` (PEP 562) for names defined in other modules.

    ``__getattr__ = moved(__name__, {"verify_any": "otp_core.any_device"})``
    keeps ``from owner import verify_any`` working while the module that
    defines it is imported only when the name is first asked for. The value
    is then kept in ``owner``'s namespace: later look-ups are plain attribute
    reads. Any other name raises ``AttributeError``, as without the hook.
    """

    def __getattr__(name: str) -> Any:
        target = names.get(name)
        if target is None:
            raise AttributeError(f"module {owner!r} has no attribute {name!r}")
        value = getattr(import_module(target), name)
        setattr(sys.modules[owner], name, value)
        return value

    return __getattr__

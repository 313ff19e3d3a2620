"""URL patterns whose class-based view is imported on its first request.

A worker imports every view its URLconf names before it answers anything.
Pages most workers never serve (set-up, account, step-up) need not cost
each worker their modules: ``path("setup/", lazy_view("pkg.views.SetupView"),
...)`` routes to the view named by its dotted path and imports it (and calls
``as_view()``) when the first request arrives. The pattern's name, its
``lookup_str`` and CSRF protection are as with ``SetupView.as_view()``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

__all__ = ["LAZY_VIEW_ATTRIBUTE", "lazy_view", "view_class"]

#: Attribute of a lazy view function: the dotted path of its view class.
LAZY_VIEW_ATTRIBUTE = "lazy_view_class"


def lazy_view(path: str, **initkwargs: Any) -> Callable[..., Any]:
    """A view function for the class-based view at ``path``, imported on first use."""
    module, _, name = path.rpartition(".")
    if not module or not name:
        raise ValueError(f"lazy_view() needs a dotted path to a view class, not {path!r}.")
    found: list[Callable[..., Any]] = []
    lock = threading.Lock()

    def view(request: Any, *args: Any, **kwargs: Any) -> Any:
        if not found:
            with lock:
                if not found:
                    found.append(import_string(path).as_view(**initkwargs))
        return found[0](request, *args, **kwargs)

    view.__module__ = module
    view.__name__ = view.__qualname__ = name
    view.__doc__ = f"``{path}``, imported on its first request."
    setattr(view, LAZY_VIEW_ATTRIBUTE, path)
    return view


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

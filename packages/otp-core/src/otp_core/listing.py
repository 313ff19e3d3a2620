"""One listing of a user's devices per request, shared by everything that asks.

:func:`otp_core.auth.devices_for_user` keeps its result on the user object
(which Django loads afresh for every request). Any device saved or deleted in
this process since, through the ORM's signals, makes the next call list again,
so a device added, removed or confirmed in the same request is seen at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils.functional import LazyObject, empty

__all__ = ["cached_for_user", "cached_listing", "forget_listings", "generation"]

_ATTR = "_otp_device_listing"
_counter = itertools.count(1)
_generation = 0


def generation() -> int:
    """Bumped by every device save or delete in this process."""
    return _generation


def forget_listings(**kwargs: Any) -> None:
    """Signal receiver: every cached listing is stale after a device write."""
    global _generation
    _generation = next(_counter)


_connected = False


def _connect() -> None:
    """Listen to saves and deletes of device models only (others keep fast deletes)."""
    global _connected
    if _connected:
        return
    from .models import device_classes

    for model in device_classes():
        uid = f"otp_core.listing.{model._meta.label_lower}"
        post_save.connect(forget_listings, sender=model, dispatch_uid=uid)
        post_delete.connect(forget_listings, sender=model, dispatch_uid=uid)
    _connected = True


def _holder(user: Any) -> Any:
    # request.user is a lazy object (OTPUser): keep the cache on the real user.
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def cached_listing(
    user: Any, confirmed: bool | None, fetch: Callable[[Any, bool | None], list[Any]]
) -> list[Any]:
    """``fetch(user, confirmed)``, from this user object's cache when still fresh."""
    return list(cached_for_user(user, ("devices", confirmed), lambda: fetch(user, confirmed)))


def cached_for_user(user: Any, key: Any, fetch: Callable[[], Any]) -> Any:
    """``fetch()``, kept on the user object under ``key`` until a device is written.

    For answers derived from the user's devices (the listing, the preferred
    device): whoever writes what ``fetch`` reads without saving a device calls
    :func:`forget_listings`.
    """
    _connect()
    holder = _holder(user)
    try:
        cache = holder.__dict__.setdefault(_ATTR, {})
    except AttributeError:  # an object without a __dict__: no cache
        return fetch()
    key = (key, getattr(holder, "pk", None))
    hit = cache.get(key)
    if hit is not None and hit[0] == _generation:
        return hit[1]
    started = _generation
    value = fetch()
    cache[key] = (started, value)
    return value

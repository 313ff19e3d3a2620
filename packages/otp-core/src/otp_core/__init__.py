"""otp-core: one-time passwords and second factors for Django.

The functions here are django-otp's public API, imported lazily so that this
package can be named in settings before Django's apps are ready.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["devices_for_user", "login", "match_token", "user_has_device", "verify_token"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import auth

        return getattr(auth, name)
    raise AttributeError(f"module 'otp_core' has no attribute {name!r}")

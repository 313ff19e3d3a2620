"""otp-core: one-time passwords and second factors for Django.

The functions here are django-otp's public API, imported lazily so that this
package can be named in settings before Django's apps are ready.
"""

from __future__ import annotations

from .deferred import moved as _moved

__version__ = "0.1.0"

__all__ = ["devices_for_user", "login", "match_token", "user_has_device", "verify_token"]


__getattr__ = _moved(__name__, dict.fromkeys(__all__, "otp_core.auth"))

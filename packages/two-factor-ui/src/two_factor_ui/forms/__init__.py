"""Forms of two-factor-ui's own pages (plugins bring their own step forms)."""

from .profile import DisableForm
from .setup import MethodForm

__all__ = ["DisableForm", "MethodForm"]

"""Forms of two-factor-ui's own pages (plugins bring their own step forms)."""

from .profile import DisableForm
from .setup import MethodForm
from .step_up import PasswordStepUpForm

__all__ = ["DisableForm", "MethodForm", "PasswordStepUpForm"]

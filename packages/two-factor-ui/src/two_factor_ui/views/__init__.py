"""The views of two-factor-ui, one module per flow."""

from .backup import BackupTokensView
from .login import LoginView
from .logout import LogoutView
from .mixins import OTPRequiredMixin
from .profile import DisableView, ProfileView
from .qrcode import QRGeneratorView
from .setup import SetupCompleteView, SetupView

__all__ = [
    "BackupTokensView",
    "DisableView",
    "LoginView",
    "LogoutView",
    "OTPRequiredMixin",
    "ProfileView",
    "QRGeneratorView",
    "SetupCompleteView",
    "SetupView",
]

"""The views of two-factor-ui, one module per flow."""

from .backup import BackupTokensView
from .browsers import ForgetBrowserView, SignOutBrowserView
from .devices import DefaultDeviceView, DeviceRemoveView, DeviceRenameView
from .login import LoginView
from .logout import LogoutView
from .mixins import OTPRequiredMixin
from .profile import DisableView, ProfileView
from .qrcode import QRGeneratorView
from .setup import SetupCompleteView, SetupView
from .step_up import StepUpView

__all__ = [
    "BackupTokensView",
    "DefaultDeviceView",
    "DeviceRemoveView",
    "DeviceRenameView",
    "DisableView",
    "ForgetBrowserView",
    "LoginView",
    "LogoutView",
    "OTPRequiredMixin",
    "ProfileView",
    "QRGeneratorView",
    "SetupCompleteView",
    "SetupView",
    "SignOutBrowserView",
    "StepUpView",
]

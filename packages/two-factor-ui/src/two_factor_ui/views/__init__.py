"""The views of two-factor-ui, one module per flow.

Each view is imported when first named (``from two_factor_ui.views import
SetupView`` works as ever), and ``two_factor_ui.urls`` routes the account
pages through :func:`otp_core.deferred.lazy_view`: a worker that only
signs people in and serves protected pages never loads the set-up, account
and step-up modules (issue 15).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otp_core.deferred import moved

if TYPE_CHECKING:
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

#: Each public view and the module of this package that defines it.
MODULES = {
    "BackupTokensView": "backup",
    "DefaultDeviceView": "devices",
    "DeviceRemoveView": "devices",
    "DeviceRenameView": "devices",
    "DisableView": "profile",
    "ForgetBrowserView": "browsers",
    "LoginView": "login",
    "LogoutView": "logout",
    "OTPRequiredMixin": "mixins",
    "ProfileView": "profile",
    "QRGeneratorView": "qrcode",
    "SetupCompleteView": "setup",
    "SetupView": "setup",
    "SignOutBrowserView": "browsers",
    "StepUpView": "step_up",
}

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


__getattr__ = moved(__name__, {name: f"{__name__}.{module}" for name, module in MODULES.items()})


def __dir__() -> list[str]:
    return sorted({*globals(), *MODULES})

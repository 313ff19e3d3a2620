"""URLs of two-factor-ui, in the ``two_factor`` namespace.

Include them with ``path("", include(two_factor_ui.urls))``. The account
pages' views are imported on their first request (``lazy_view``): a worker
that only signs people in does not load them.
"""

from collections.abc import Callable
from typing import Any

from django.urls import include, path

from otp_core.deferred import lazy_view

from .sudo import sensitive
from .views import MODULES
from .views.login import LoginView
from .views.logout import LogoutView


def _lazy(name: str) -> Callable[..., Any]:
    return lazy_view(f"two_factor_ui.views.{MODULES[name]}.{name}")


app_name = "two_factor"

#: The account pages, under one prefix: a request for any other path is
#: matched against it once rather than against every page.
account_patterns = [
    path("setup/", sensitive(_lazy("SetupView")), name="setup"),
    path("qrcode/", _lazy("QRGeneratorView"), name="qr"),
    path(
        "setup/complete/",
        _lazy("SetupCompleteView"),
        name="setup_complete",
    ),
    path(
        "backup/tokens/",
        sensitive(_lazy("BackupTokensView")),
        name="backup_tokens",
    ),
    path("", _lazy("ProfileView"), name="profile"),
    path("verify/", _lazy("StepUpView"), name="step_up"),
    path("disable/", sensitive(_lazy("DisableView")), name="disable"),
    path(
        "method/remove/",
        sensitive(_lazy("DeviceRemoveView")),
        name="remove_device",
    ),
    path("method/rename/", _lazy("DeviceRenameView"), name="rename_device"),
    path(
        "method/default/",
        _lazy("DefaultDeviceView"),
        name="default_device",
    ),
    path(
        "browsers/forget/",
        _lazy("ForgetBrowserView"),
        name="forget_browser",
    ),
    path(
        "browsers/sign-out/",
        _lazy("SignOutBrowserView"),
        name="sign_out_browser",
    ),
]

urlpatterns = [
    path("account/login/", LoginView.as_view(), name="login"),
    path("account/logout/", LogoutView.as_view(), name="logout"),
    path("account/two_factor/", include(account_patterns)),
]

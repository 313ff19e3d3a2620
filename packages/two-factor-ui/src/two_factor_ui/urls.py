"""URLs of two-factor-ui, in the ``two_factor`` namespace.

Include them with ``path("", include(two_factor_ui.urls))``.
"""

from django.urls import include, path

from . import views
from .sudo import sensitive

app_name = "two_factor"

#: The account pages, under one prefix: a request for any other path is
#: matched against it once rather than against every page.
account_patterns = [
    path("setup/", sensitive(views.SetupView.as_view()), name="setup"),
    path("qrcode/", views.QRGeneratorView.as_view(), name="qr"),
    path(
        "setup/complete/",
        views.SetupCompleteView.as_view(),
        name="setup_complete",
    ),
    path(
        "backup/tokens/",
        sensitive(views.BackupTokensView.as_view()),
        name="backup_tokens",
    ),
    path("", views.ProfileView.as_view(), name="profile"),
    path("verify/", views.StepUpView.as_view(), name="step_up"),
    path("disable/", sensitive(views.DisableView.as_view()), name="disable"),
    path(
        "method/remove/",
        sensitive(views.DeviceRemoveView.as_view()),
        name="remove_device",
    ),
    path("method/rename/", views.DeviceRenameView.as_view(), name="rename_device"),
    path(
        "method/default/",
        views.DefaultDeviceView.as_view(),
        name="default_device",
    ),
    path(
        "browsers/forget/",
        views.ForgetBrowserView.as_view(),
        name="forget_browser",
    ),
    path(
        "browsers/sign-out/",
        views.SignOutBrowserView.as_view(),
        name="sign_out_browser",
    ),
]

urlpatterns = [
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", views.LogoutView.as_view(), name="logout"),
    path("account/two_factor/", include(account_patterns)),
]

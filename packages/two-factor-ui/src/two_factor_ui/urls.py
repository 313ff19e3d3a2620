"""URLs of two-factor-ui, in the ``two_factor`` namespace.

Include them with ``path("", include(two_factor_ui.urls))``.
"""

from django.urls import path

from . import views
from .sudo import sensitive

app_name = "two_factor"

urlpatterns = [
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", views.LogoutView.as_view(), name="logout"),
    path("account/two_factor/setup/", sensitive(views.SetupView.as_view()), name="setup"),
    path("account/two_factor/qrcode/", views.QRGeneratorView.as_view(), name="qr"),
    path(
        "account/two_factor/setup/complete/",
        views.SetupCompleteView.as_view(),
        name="setup_complete",
    ),
    path(
        "account/two_factor/backup/tokens/",
        sensitive(views.BackupTokensView.as_view()),
        name="backup_tokens",
    ),
    path("account/two_factor/", views.ProfileView.as_view(), name="profile"),
    path("account/two_factor/verify/", views.StepUpView.as_view(), name="step_up"),
    path("account/two_factor/disable/", sensitive(views.DisableView.as_view()), name="disable"),
    path(
        "account/two_factor/method/remove/",
        sensitive(views.DeviceRemoveView.as_view()),
        name="remove_device",
    ),
    path(
        "account/two_factor/method/rename/", views.DeviceRenameView.as_view(), name="rename_device"
    ),
    path(
        "account/two_factor/method/default/",
        views.DefaultDeviceView.as_view(),
        name="default_device",
    ),
    path(
        "account/two_factor/browsers/forget/",
        views.ForgetBrowserView.as_view(),
        name="forget_browser",
    ),
    path(
        "account/two_factor/browsers/sign-out/",
        views.SignOutBrowserView.as_view(),
        name="sign_out_browser",
    ),
]

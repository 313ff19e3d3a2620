"""URLs of two-factor-ui, in the ``two_factor`` namespace.

Include them with ``path("", include(two_factor_ui.urls))``.
"""

from django.urls import path

from . import views

app_name = "two_factor"

urlpatterns = [
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", views.LogoutView.as_view(), name="logout"),
    path("account/two_factor/setup/", views.SetupView.as_view(), name="setup"),
    path("account/two_factor/qrcode/", views.QRGeneratorView.as_view(), name="qr"),
    path(
        "account/two_factor/setup/complete/",
        views.SetupCompleteView.as_view(),
        name="setup_complete",
    ),
    path(
        "account/two_factor/backup/tokens/", views.BackupTokensView.as_view(), name="backup_tokens"
    ),
    path("account/two_factor/", views.ProfileView.as_view(), name="profile"),
    path("account/two_factor/disable/", views.DisableView.as_view(), name="disable"),
]

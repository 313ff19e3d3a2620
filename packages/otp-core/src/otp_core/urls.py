"""URLs of otp-core's own pages: ``path("account/2fa/", include("otp_core.urls"))``.

Names (namespace ``otp_core``): ``setup`` (choose a method, or go straight
to the only one), ``setup_device`` (QR code, key and first code of one
plugin), ``setup_done``.
"""

from django.urls import path

from .views_setup import DeviceSetupView, SetupDoneView, SetupIndexView

app_name = "otp_core"

urlpatterns = [
    path("setup/", SetupIndexView.as_view(), name="setup"),
    path("setup/done/", SetupDoneView.as_view(), name="setup_done"),
    path("setup/<slug:plugin>/", DeviceSetupView.as_view(), name="setup_device"),
]

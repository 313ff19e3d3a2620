"""URLs of otp-phone: ``path("", include("otp_phone.urls"))``."""

from django.urls import path

import otp_core.ids  # noqa: F401 - registers the ``otp_id`` path converter

from . import views

app_name = "otp_phone"

urlpatterns = [
    path("account/phone/add/", views.PhoneSetupView.as_view(), name="setup"),
    path("account/phone/<otp_id:pk>/remove/", views.PhoneDeleteView.as_view(), name="delete"),
    path("twilio/call/<str:token>/", views.TwilioCallView.as_view(), name="twilio_call"),
]

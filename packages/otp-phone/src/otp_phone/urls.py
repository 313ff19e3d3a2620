"""URLs of otp-phone: ``path("", include("otp_phone.urls"))``."""

from django.urls import path

from . import views

app_name = "otp_phone"

urlpatterns = [
    path("account/phone/add/", views.PhoneSetupView.as_view(), name="setup"),
    path("account/phone/<int:pk>/remove/", views.PhoneDeleteView.as_view(), name="delete"),
    path("twilio/call/<str:token>/", views.TwilioCallView.as_view(), name="twilio_call"),
]

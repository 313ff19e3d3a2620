"""The JSON ceremonies: ``path("webauthn/", include("otp_webauthn.urls"))``."""

from django.urls import path

from . import views

app_name = "otp_webauthn"

urlpatterns = [
    path("register/begin/", views.register_begin, name="register-begin"),
    path("register/complete/", views.register_complete, name="register-complete"),
    path("authenticate/begin/", views.authenticate_begin, name="authenticate-begin"),
    path("authenticate/complete/", views.authenticate_complete, name="authenticate-complete"),
    path("signup/begin/", views.signup_begin, name="signup-begin"),
    path("signup/complete/", views.signup_complete, name="signup-complete"),
]

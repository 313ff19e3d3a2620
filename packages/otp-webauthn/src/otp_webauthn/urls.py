"""The JSON ceremonies: ``path("webauthn/", include("otp_webauthn.urls"))``."""

from django.urls import path

import otp_core.ids  # noqa: F401 - registers the ``otp_id`` path converter

from . import account, views

app_name = "otp_webauthn"

urlpatterns = [
    path("register/begin/", views.register_begin, name="register-begin"),
    path("register/complete/", views.register_complete, name="register-complete"),
    path("authenticate/begin/", views.authenticate_begin, name="authenticate-begin"),
    path("authenticate/complete/", views.authenticate_complete, name="authenticate-complete"),
    path("signup/begin/", views.signup_begin, name="signup-begin"),
    path("signup/complete/", views.signup_complete, name="signup-complete"),
    path("keys/<otp_id:pk>/rename/", account.KeyRenameView.as_view(), name="rename"),
    path("keys/<otp_id:pk>/remove/", account.KeyRemoveView.as_view(), name="remove"),
]

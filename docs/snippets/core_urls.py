from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.http import HttpResponse
from django.urls import include, path

from otp_core.admin import OTPAdminSite
from otp_core.decorators import otp_required
from otp_core.views import LoginView

# The admin asks staff for their code too (check otp_core.W003).
admin.site.__class__ = OTPAdminSite


@otp_required
def home(request):
    return HttpResponse(f"Hello {request.user}: you signed in with two factors.")


urlpatterns = [
    # The one sign-in page: password and code. A user who has no device yet
    # signs in with the password alone and goes on to set one up.
    path("accounts/login/", LoginView.as_view(allow_without_device=True), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    # Set-up of an authenticator app: QR code, key, first code.
    path("accounts/2fa/", include("otp_core.urls")),
    path("admin/", admin.site.urls),
    path("", home, name="home"),
]

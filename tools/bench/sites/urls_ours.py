from django.http import HttpResponse
from django.urls import include, path

from otp_core.decorators import otp_required


@otp_required
def protected(request):  # type: ignore[no-untyped-def]
    return HttpResponse(f"hello {request.user.get_username()}")


urlpatterns = [path("", include("two_factor_ui.urls")), path("protected/", protected)]

from django.http import HttpResponse
from django.urls import include, path
from django_otp.decorators import otp_required
from two_factor.urls import urlpatterns as two_factor_urls


@otp_required
def protected(request):  # type: ignore[no-untyped-def]
    return HttpResponse(f"hello {request.user.get_username()}")


urlpatterns = [path("", include(two_factor_urls)), path("protected/", protected)]

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.urls import path


@login_required
def protected(request):  # type: ignore[no-untyped-def]
    return HttpResponse(f"hello {request.user.get_username()}")


urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("protected/", protected),
]

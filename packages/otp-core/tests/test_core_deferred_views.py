"""``otp_core.deferred.lazy_view``: a URL pattern's view class imported on its first request."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, path
from django.views import View

from otp_core.deferred import LAZY_VIEW_ATTRIBUTE, lazy_view, moved, view_class
from otp_core.mixins import OTPRequiredMixin


class Greeting(View):
    greeting = "hello"

    def get(self, request):  # type: ignore[no-untyped-def]
        return HttpResponse(self.greeting)


def test_the_class_is_imported_and_built_on_the_first_request(monkeypatch):
    from django.utils import module_loading

    imported = []
    real = module_loading.import_string

    def spy(dotted):  # type: ignore[no-untyped-def]
        imported.append(dotted)
        return real(dotted)

    monkeypatch.setattr("otp_core.deferred.import_string", spy)
    view = lazy_view(f"{__name__}.Greeting", greeting="hi")
    assert imported == []
    request = RequestFactory().get("/")
    assert view(request).content == b"hi"
    assert view(request).content == b"hi"
    assert imported == [f"{__name__}.Greeting"]  # once


def test_it_looks_like_the_view_to_url_tools():
    view = lazy_view(f"{__name__}.Greeting")
    pattern = path("greet/", view, name="greet")
    assert isinstance(pattern, URLPattern)
    assert pattern.lookup_str == f"{__name__}.Greeting"
    assert getattr(view, LAZY_VIEW_ATTRIBUTE) == f"{__name__}.Greeting"
    assert not getattr(view, "csrf_exempt", False)  # CSRF still checked
    assert view_class(view) is Greeting
    assert view_class(Greeting.as_view()) is Greeting
    assert view_class(lambda request: None) is None


def test_a_path_that_is_not_dotted_is_refused_at_once():
    with pytest.raises(ValueError, match="dotted path"):
        lazy_view("Greeting")


def test_a_wrong_path_fails_on_the_first_request():
    view = lazy_view(f"{__name__}.NoSuchView")
    with pytest.raises(ImportError):
        view(RequestFactory().get("/"))


class StaffPage(OTPRequiredMixin, Greeting):
    policy = "staff-only"


urlpatterns = [path("staff/", lazy_view(f"{__name__}.StaffPage"), name="staff")]


def test_policy_checks_see_the_class_behind_a_lazy_view(settings):
    from otp_core.policy_checks import routed_policy_names

    settings.ROOT_URLCONF = __name__
    assert routed_policy_names() == {"staff-only": {"/staff/"}}


def test_moved_names_import_their_module_on_first_use(monkeypatch):
    import sys
    import types

    owner = types.ModuleType("otp_test_owner")
    monkeypatch.setitem(sys.modules, "otp_test_owner", owner)
    monkeypatch.delitem(sys.modules, "otp_core.any_device", raising=False)
    owner.__getattr__ = moved("otp_test_owner", {"verify_any": "otp_core.any_device"})  # type: ignore[attr-defined]

    assert "otp_core.any_device" not in sys.modules
    from otp_test_owner import verify_any  # type: ignore[import-not-found]

    assert verify_any.__module__ == "otp_core.any_device"
    assert owner.__dict__["verify_any"] is verify_any  # kept: later reads skip the hook
    with pytest.raises(AttributeError, match=r"otp_test_owner.*no attribute 'other'"):
        owner.other


def test_the_models_package_names_the_send_a_code_mixin_it_loads_on_first_use():
    """``from otp_core.models import SideChannelMixin`` (e-mail and phone plugins) still works."""
    import otp_core.models as models
    from otp_core.models.challenge import GenerateNotAllowed, SideChannelMixin

    assert models.SideChannelMixin is SideChannelMixin
    assert models.GenerateNotAllowed is GenerateNotAllowed
    assert SideChannelMixin._meta.abstract
    assert {"SideChannelMixin", "GenerateNotAllowed"} <= set(models.__all__)

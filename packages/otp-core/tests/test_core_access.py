"""otp_required and OTPRequiredMixin on the demo pages and on views of this module."""

from __future__ import annotations

import sys
import time

import pytest
from django.http import HttpResponse
from django.urls import include, path
from django.views import View
from pytest_django.asserts import assertTemplateUsed

from otp_core.access import default_login_url, step_up_url
from otp_core.decorators import otp_required
from otp_core.mixins import OTPRequiredMixin
from otp_core.policy import Policy
from otp_core.session import record_verification

pytestmark = pytest.mark.django_db

DECORATOR = "/protected/decorator/"
IF_CONFIGURED = "/protected/if-configured/"
MIXIN = "/protected/mixin/"
MIXIN_RAISE = "/protected/mixin-raise/"
STEP_UP = "/protected/step-up/"
RECENT = "/protected/recent/"
ALL_PAGES = [DECORATOR, IF_CONFIGURED, MIXIN, MIXIN_RAISE, STEP_UP, RECENT]


# -- views of this module's URLconf -------------------------------------------


class SetupMixinView(OTPRequiredMixin, View):
    verification_url = "/setup/"

    def get(self, request):
        return HttpResponse("granted")


class CustomLoginMixinView(OTPRequiredMixin, View):
    login_url = "/elsewhere/"
    redirect_field_name = "then"

    def get(self, request):
        return HttpResponse("granted")


@otp_required(login_url="/other-login/", redirect_field_name="go")
def custom_decorated(request):
    return HttpResponse("granted")


@otp_required(policy=Policy(factors="sms"))
def sms_only(request):
    return HttpResponse("granted")


urlpatterns = [
    path("setup-mixin/", SetupMixinView.as_view()),
    path("custom-mixin/", CustomLoginMixinView.as_view()),
    path("custom-decorated/", custom_decorated),
    path("sms-only/", sms_only),
    path("", include("test_project.urls")),
]


@pytest.fixture
def own_urls(settings):
    settings.ROOT_URLCONF = sys.modules[__name__]


# -- helpers --------------------------------------------------------------------


def verify_session(client, device, age: float = 0.0) -> None:
    session = client.session
    record_verification(session, device, at=time.time() - age)
    session.save()


def assert_login_redirect(response, page, login=None, field="next"):
    # settings.LOGIN_URL: the core /login/, or two-factor-ui's when it is installed.
    login = login or default_login_url()
    assert response.status_code == 302
    assert response["Location"] == f"{login}?{field}={page}"


def assert_step_up_redirect(response, page):
    # A signed-in user who misses a policy goes to the step-up page: two-factor-ui's
    # when it is installed (and OTP_STEP_UP_URL when set), else the login URL.
    target = step_up_url() or default_login_url()
    assert response.status_code == 302
    assert response["Location"] == f"{target}?next={page}"


def assert_granted(response):
    assert response.status_code == 200
    assertTemplateUsed(response, "demo/protected.html")


# -- anonymous --------------------------------------------------------------------


@pytest.mark.parametrize("page", [DECORATOR, IF_CONFIGURED, MIXIN, STEP_UP, RECENT])
def test_anonymous_is_sent_to_login_with_next(client, page):
    assert_login_redirect(client.get(page), page)


def test_anonymous_with_raise_anonymous_gets_403(client):
    assert client.get(MIXIN_RAISE).status_code == 403


def test_otp_login_url_setting(settings, client):
    settings.OTP_LOGIN_URL = "/otp-login/"
    assert_login_redirect(client.get(DECORATOR), DECORATOR, login="/otp-login/")
    assert_login_redirect(client.get(MIXIN), MIXIN, login="/otp-login/")


def test_custom_login_url_and_field(client, own_urls):
    assert_login_redirect(
        client.get("/custom-decorated/"), "/custom-decorated/", "/other-login/", "go"
    )
    assert_login_redirect(client.get("/custom-mixin/"), "/custom-mixin/", "/elsewhere/", "then")


# -- logged in, unverified ------------------------------------------------------------


@pytest.mark.parametrize("page", [DECORATOR, IF_CONFIGURED, MIXIN, STEP_UP, RECENT])
def test_unverified_user_with_a_device_is_redirected(client, user, device, page):
    client.force_login(user)
    assert_step_up_redirect(client.get(page), page)


def test_unverified_with_raise_unverified_gets_403(client, user, device):
    client.force_login(user)
    assert client.get(MIXIN_RAISE).status_code == 403


def test_unconfirmed_device_counts_as_no_device(client, user, device_factory):
    device_factory(user, confirmed=False)
    client.force_login(user)
    assert_granted(client.get(IF_CONFIGURED))


# -- no device at all ---------------------------------------------------------------------


def test_if_configured_lets_a_user_without_device_through(client, user):
    client.force_login(user)
    assert_granted(client.get(IF_CONFIGURED))
    # Plain otp_required does not: the step-up page explains what to set up.
    assert_step_up_redirect(client.get(DECORATOR), DECORATOR)


def test_mixin_without_device_renders_otp_required_template_with_403(client, user):
    client.force_login(user)
    response = client.get(MIXIN)
    assert response.status_code == 403
    assertTemplateUsed(response, "otp_core/otp_required.html")
    assert b"Two-factor authentication required" in response.content


def test_mixin_without_device_raise_unverified_gets_plain_403(client, user):
    client.force_login(user)
    response = client.get(MIXIN_RAISE)
    assert response.status_code == 403
    assert "otp_core/otp_required.html" not in [t.name for t in response.templates]


def test_mixin_without_device_goes_to_verification_url(client, user, own_urls):
    client.force_login(user)
    assert_login_redirect(client.get("/setup-mixin/"), "/setup-mixin/", login="/setup/")


def test_mixin_verification_url_is_not_used_when_a_device_exists(client, user, device, own_urls):
    client.force_login(user)
    assert_step_up_redirect(client.get("/setup-mixin/"), "/setup-mixin/")


# -- verified ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [DECORATOR, IF_CONFIGURED, MIXIN, MIXIN_RAISE, RECENT])
def test_verified_user_is_granted(client, user, device, page):
    client.force_login(user)
    verify_session(client, device)
    assert_granted(client.get(page))


def test_step_up_needs_a_hardware_key(client, user, device, hw_device, otp_code):
    client.force_login(user)
    verify_session(client, device)
    assert_granted(client.get(DECORATOR))
    # Verified with an "otp" factor (AAL2), but the page wants AAL3.
    assert_step_up_redirect(client.get(STEP_UP), STEP_UP)

    # Step up through the demo's verification page with the hardware device.
    response = client.post(
        "/verify/",
        {"otp_device": hw_device.persistent_id, "otp_token": otp_code(hw_device), "next": STEP_UP},
    )
    assert response.status_code == 302
    assert response["Location"] == STEP_UP
    assert_granted(client.get(STEP_UP))
    # The earlier factor still counts for the other pages.
    assert_granted(client.get(DECORATOR))


def test_step_up_expires_after_max_age(client, user, hw_device):
    client.force_login(user)
    verify_session(client, hw_device, age=299)
    assert_granted(client.get(STEP_UP))
    verify_session(client, hw_device, age=301)
    assert_step_up_redirect(client.get(STEP_UP), STEP_UP)
    # The page without a maximum age still accepts it.
    assert_granted(client.get(DECORATOR))


def test_mixin_policy_max_age(client, user, device):
    client.force_login(user)
    verify_session(client, device, age=59)
    assert_granted(client.get(RECENT))
    verify_session(client, device, age=61)
    assert_step_up_redirect(client.get(RECENT), RECENT)
    assert_granted(client.get(MIXIN))


def test_decorator_policy_with_factor_kind(client, user, device, challenge_device, own_urls):
    client.force_login(user)
    verify_session(client, device)
    assert_step_up_redirect(client.get("/sms-only/"), "/sms-only/")
    verify_session(client, challenge_device)
    assert client.get("/sms-only/").content == b"granted"


def test_policy_with_no_device_and_if_configured(client, user, own_urls):
    # A user with no device and no verification: the mixin shows the set-up hint.
    client.force_login(user)
    response = client.get("/custom-mixin/")
    assert response.status_code == 403


def test_missing_middleware_is_a_configuration_error(settings, rf, user):
    from django.core.exceptions import ImproperlyConfigured

    from otp_core.access import check_access

    request = rf.get("/")
    request.user = user
    with pytest.raises(ImproperlyConfigured, match="OTPMiddleware"):
        check_access(request)

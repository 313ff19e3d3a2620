"""Issue 10: named and combined policies, "this request only", URL policies,
RFC 9470 answers for JSON clients, and the OIDC claims of a session."""

from __future__ import annotations

import re
import sys
import time

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.test import override_settings
from django.urls import include, path
from django.views import View

from otp_core.claims import oidc_claims
from otp_core.decorators import otp_required
from otp_core.mixins import OTPRequiredMixin
from otp_core.policy import (
    AAL1,
    AAL2,
    AAL3,
    ANY_FACTOR,
    ONE_REQUEST_WINDOW,
    AllOf,
    AnyOf,
    Policy,
    assurance_level,
    named_policy,
    policy_from_setting,
    resolve_policy,
)
from otp_core.policy_middleware import compile_rules, policy_for_path
from otp_core.session import Verification, record_verification

NOW = 1_000_000.0
POLICIES = {
    "payments": {"factors": ["hwk"], "max_age": 300},
    "app_only": {"factors": ["otp"]},
    "strong": {"level": 3},
    "once": {"max_age": 0},
    "any": {},
    # The demo's (test_project) pages use this one too.
    "recent_password": {"factors": ["pwd"], "max_age": 300},
}


def v(amr: str, age: float = 1, *, spent: bool = False, passwordless: bool = False):
    return Verification(
        f"otp_example.exampledevice/{amr}{age}", amr, NOW - age, passwordless, spent
    )


# -- policies as values ---------------------------------------------------------


def test_email_is_a_kind_of_its_own_below_an_app():
    assert assurance_level("email") == AAL1
    assert assurance_level("otp") == AAL2
    assert not Policy(factors="otp").is_satisfied_by([v("email")], NOW)
    assert not Policy(level=AAL2).is_satisfied_by([v("email")], NOW)
    # Any second factor still includes e-mail, as django-otp's is_verified() does.
    assert ANY_FACTOR.is_satisfied_by([v("email")], NOW)


@pytest.mark.parametrize("kind", ["recovery", "email", "sms", "tel", "otp"])
def test_codes_never_meet_level_3_or_phishing_resistance(kind):
    assert not Policy(level=AAL3).is_satisfied_by([v(kind)], NOW)
    assert not Policy(phishing_resistant=True).is_satisfied_by([v(kind)], NOW)


def test_webauthn_kinds_resist_phishing_and_only_hardware_reaches_level_3():
    assert Policy(phishing_resistant=True).is_satisfied_by([v("swk")], NOW)
    assert Policy(phishing_resistant=True).is_satisfied_by([v("hwk")], NOW)
    assert not Policy(level=AAL3).is_satisfied_by([v("swk")], NOW)
    assert Policy(level=AAL3).is_satisfied_by([v("hwk")], NOW)


def test_a_password_alone_is_not_a_second_factor():
    assert not ANY_FACTOR.is_satisfied_by([v("pwd")], NOW)
    assert Policy(factors="pwd", max_age=60).is_satisfied_by([v("pwd", 10)], NOW)


def test_and_needs_both_parts_possibly_from_different_verifications():
    both = Policy(factors="otp") & Policy(factors="hwk", max_age=60)
    assert isinstance(both, AllOf)
    assert both.is_satisfied_by([v("otp", 5000), v("hwk", 30)], NOW)
    assert not both.is_satisfied_by([v("otp", 5000), v("hwk", 90)], NOW)
    assert not both.is_satisfied_by([v("hwk", 30)], NOW)


def test_or_needs_either_part():
    either = Policy(factors="hwk") | Policy(factors="otp", max_age=60)
    assert isinstance(either, AnyOf)
    assert either.is_satisfied_by([v("hwk", 10**6)], NOW)
    assert either.is_satisfied_by([v("otp", 10)], NOW)
    assert not either.is_satisfied_by([v("otp", 100), v("sms", 1)], NOW)
    # They nest.
    nested = (Policy(factors="sms") | Policy(factors="tel")) & Policy(max_age=5)
    assert nested.is_satisfied_by([v("tel", 100), v("otp", 1)], NOW)
    assert not nested.is_satisfied_by([v("tel", 100)], NOW)


def test_combining_with_something_else_is_a_type_error():
    with pytest.raises(TypeError):
        Policy() & "payments"


def test_max_age_zero_accepts_a_fresh_verification_once():
    once = Policy(max_age=0)
    assert once.is_satisfied_by([v("otp", 10)], NOW)
    assert not once.is_satisfied_by([v("otp", 10, spent=True)], NOW)
    assert not once.is_satisfied_by([v("otp", ONE_REQUEST_WINDOW + 1)], NOW)
    assert once.one_request
    assert not Policy(max_age=1).one_request


def test_challenge_says_level_and_max_age():
    assert Policy(factors="hwk", max_age=300).challenge() == (AAL3, 300)
    assert Policy().challenge() == (None, None)
    assert (Policy(level=AAL2) & Policy(factors="hwk", max_age=60)).challenge() == (AAL3, 60)
    assert (Policy(factors="hwk") | Policy(level=AAL2, max_age=10)).challenge() == (AAL2, None)


# -- names ---------------------------------------------------------------------


@override_settings(OTP_POLICIES=POLICIES)
def test_names_resolve_to_the_policies_they_describe():
    assert named_policy("payments") == Policy(factors={"hwk"}, max_age=300)
    assert resolve_policy("strong") == Policy(level=AAL3)
    assert resolve_policy(None) is ANY_FACTOR
    assert resolve_policy(Policy(level=AAL2)) == Policy(level=AAL2)
    with pytest.raises(ImproperlyConfigured, match="No policy named 'nope'"):
        resolve_policy("nope")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"factor": ["otp"]}, "unknown keys: factor"),
        ({"factors": ["otpp"]}, "unknown factor kinds: otpp"),
        ({"factors": []}, "must be a list of kinds"),
        ({"max_age": "5 minutes"}, "must be seconds"),
        ({"max_age": -1}, "must not be negative"),
        ({"level": 4}, "must be 1, 2 or 3"),
        ("hwk", "must be a dict or a Policy"),
    ],
)
def test_a_malformed_policy_is_refused_with_what_is_wrong(value, message):
    with pytest.raises(ValueError, match=message):
        policy_from_setting("p", value)


def _ids(**overrides):
    # Sorted: the order checks run in is not part of what is tested.
    with override_settings(**overrides):
        return sorted(m.id for m in run_checks() if m.id.startswith("otp_core.E03"))


def test_an_unknown_name_in_a_routed_view_is_a_start_up_error(settings):
    """This module's URLconf routes views that name policies."""
    settings.ROOT_URLCONF = sys.modules[__name__]
    settings.OTP_POLICIES = {"recent_password": {}}
    errors = [m for m in run_checks() if m.id == "otp_core.E031"]
    assert sorted(m.msg for m in errors) == [
        "The policy 'app_only' is not in OTP_POLICIES.",
        "The policy 'once' is not in OTP_POLICIES.",
        "The policy 'payments' is not in OTP_POLICIES.",
    ]
    hints = " ".join(m.hint for m in errors)
    assert "/app/" in hints
    assert "/pay/" in hints
    settings.OTP_POLICIES = POLICIES
    assert not [m for m in run_checks() if m.id == "otp_core.E031"]


def test_malformed_settings_are_start_up_errors():
    assert _ids(OTP_POLICIES={**POLICIES, "p": {"level": 9}}) == ["otp_core.E030"]
    assert _ids(OTP_POLICIES=["payments"]) == ["otp_core.E030"]
    assert _ids(OTP_POLICY_URLS=[("admin/", "any")], OTP_POLICIES=POLICIES) == ["otp_core.E032"]
    assert _ids(OTP_POLICY_URLS=[("^(", "any")], OTP_POLICIES=POLICIES) == ["otp_core.E032"]
    assert _ids(OTP_POLICY_URLS=[("/billing/", "nope")], OTP_POLICIES=POLICIES) == [
        "otp_core.E031",
        "otp_core.E033",
    ]


def test_url_policies_without_their_middleware_are_an_error(settings):
    settings.OTP_POLICIES = POLICIES
    settings.OTP_POLICY_URLS = [("/billing/", "payments")]
    assert _ids() == ["otp_core.E033"]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "otp_core.policy_middleware.OTPPolicyMiddleware"]
    assert _ids() == []
    settings.MIDDLEWARE = [
        "otp_core.policy_middleware.OTPPolicyMiddleware",
        *[m for m in settings.MIDDLEWARE if "OTPPolicyMiddleware" not in m],
    ]
    assert _ids() == ["otp_core.E033"]


# -- views: names, one request, JSON clients --------------------------------------


@otp_required(policy="payments")
def pay(request):
    return HttpResponse("paid")


@otp_required(policy="once")
def once(request):
    return HttpResponse("once")


class AppOnlyView(OTPRequiredMixin, View):
    policy = "app_only"

    def get(self, request):
        return HttpResponse("app")


def open_page(request):
    return HttpResponse("open")


def claims_view(request):
    return JsonResponse(oidc_claims(request))


urlpatterns = [
    path("pay/", pay),
    path("once/", once),
    path("app/", AppOnlyView.as_view()),
    path("billing/invoice/", open_page),
    path("billing/public/", open_page),
    path("reports/2026/", open_page),
    path("claims/", claims_view),
    path("", include("test_project.urls")),
]


@pytest.fixture
def site(settings):
    settings.ROOT_URLCONF = sys.modules[__name__]
    settings.OTP_POLICIES = POLICIES
    return settings


def verify(client, device, age: float = 0.0) -> None:
    session = client.session
    record_verification(session, device, at=time.time() - age)
    session.save()


@pytest.mark.django_db
def test_a_named_policy_protects_a_view(site, client, user, device, hw_device):
    client.force_login(user)
    verify(client, device)
    assert client.get("/pay/").status_code == 302
    verify(client, hw_device, age=10)
    assert client.get("/pay/").content == b"paid"
    verify(client, hw_device, age=301)
    assert client.get("/pay/").status_code == 302


@pytest.mark.django_db
def test_a_named_policy_on_a_mixin(site, client, user, device, hw_device):
    client.force_login(user)
    verify(client, hw_device)
    assert client.get("/app/").status_code == 302
    verify(client, device)
    assert client.get("/app/").content == b"app"


@pytest.mark.django_db
def test_this_request_only_serves_one_request(site, client, user, device):
    client.force_login(user)
    verify(client, device)
    assert client.get("/once/").content == b"once"
    second = client.get("/once/")
    assert second.status_code == 302
    # A new verification opens it once more; other views are unaffected.
    verify(client, device)
    assert client.get("/once/").content == b"once"
    assert client.get("/app/").content == b"app"


@pytest.mark.django_db
def test_the_step_up_url_setting_sends_signed_in_users_there(site, client, user, device):
    site.OTP_STEP_UP_URL = "/step-up-here/"
    response = client.get("/pay/")
    assert "step-up-here" not in response.url  # anonymous: the login page
    client.force_login(user)
    verify(client, device)
    response = client.get("/pay/")
    assert response.status_code == 302
    assert response.url == "/step-up-here/?next=/pay/"


@pytest.mark.django_db
def test_a_json_client_gets_rfc_9470s_401(site, client, user, device):
    client.force_login(user)
    verify(client, device)
    response = client.get("/pay/", headers={"accept": "application/json"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == (
        'Bearer error="insufficient_user_authentication", '
        'error_description="A stronger or more recent authentication is required.", '
        'acr_values="aal3", max_age=300'
    )
    assert response.json()["acr_values"] == "aal3"
    # The mixin answers the same way; a browser still gets a redirect.
    verify(client, device)
    site.OTP_POLICIES = {**POLICIES, "app_only": {"factors": ["hwk"]}}
    assert client.get("/app/", headers={"accept": "application/json"}).status_code == 401
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/pay/", headers={"accept": browser}).status_code == 302
    # Anonymous clients are sent to sign in, as login_required does.
    client.logout()
    assert client.get("/pay/", headers={"accept": "application/json"}).status_code == 302


# -- URL policies ---------------------------------------------------------------------


RULES = [
    ("/billing/public/", None),
    ("/billing/", "payments"),
    (re.compile(r"^/reports/\d{4}/"), "app_only"),
    ("^/claims/$", "any"),
]


def test_rules_first_match_wins():
    compiled = compile_rules(RULES)
    assert len(compiled) == 4
    assert policy_for_path("/billing/invoice/", RULES) == "payments"
    assert policy_for_path("/billing/public/", RULES) is None
    assert policy_for_path("/reports/2026/", RULES) == "app_only"
    assert policy_for_path("/reports/latest/", RULES) is None
    assert policy_for_path("/claims/", RULES) == "any"
    assert policy_for_path("/claims/x", RULES) is None


@pytest.fixture
def url_site(site):
    site.OTP_POLICY_URLS = RULES
    site.MIDDLEWARE = [*site.MIDDLEWARE, "otp_core.policy_middleware.OTPPolicyMiddleware"]
    return site


@pytest.mark.django_db
def test_url_policies_protect_views_you_do_not_own(url_site, client, user, device, hw_device):
    assert client.get("/billing/public/").content == b"open"
    anonymous = client.get("/billing/invoice/")
    assert anonymous.status_code == 302
    assert "/billing/invoice/" in anonymous.url
    client.force_login(user)
    verify(client, device)
    assert client.get("/billing/invoice/").status_code == 302
    assert client.get("/reports/2026/").content == b"open"
    assert (
        client.get("/billing/invoice/", headers={"accept": "application/json"}).status_code == 401
    )
    verify(client, hw_device)
    assert client.get("/billing/invoice/").content == b"open"


@pytest.mark.django_db
def test_url_policies_never_cover_the_login_page(url_site, client):
    from otp_core.access import default_login_url

    url_site.OTP_POLICY_URLS = [("/", "strong")]
    login = client.get(default_login_url())
    assert login.status_code == 200
    assert client.get("/billing/public/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_url_policies_in_an_async_stack(url_site, async_client, client, user, device, hw_device):
    import asyncio

    client.force_login(user)
    verify(client, device)
    async_client.cookies = client.cookies

    async def run(expected):
        response = await async_client.get("/billing/invoice/")
        assert response.status_code == expected

    asyncio.run(run(302))
    verify(client, hw_device)
    asyncio.run(run(200))


# -- what others can read -----------------------------------------------------------


@pytest.mark.django_db
def test_claims_of_a_session(site, client, user, device, hw_device):
    assert client.get("/claims/").json() == {}
    client.force_login(user)
    # force_login goes through ModelBackend: a password sign-in.
    assert client.get("/claims/").json()["amr"] == ["pwd"]
    verify(client, device, age=100)
    verify(client, hw_device, age=5)
    claims = client.get("/claims/").json()
    assert claims["amr"] == ["hwk", "mfa", "otp", "pwd"]
    assert claims["acr"] == "aal3"
    # The newest authentication: the password given at sign-in, just now.
    assert abs(claims["auth_time"] - time.time()) < 3


def test_request_otp_exposes_amr_and_level(rf):
    from otp_core.session import OTPState

    state = OTPState(rf.get("/"))
    state._loaded = ([v("pwd", 50), v("otp", 10)], {})
    assert state.amr == ["mfa", "otp", "pwd"]
    assert state.level == AAL2
    state._loaded = ([v("swk", 1, passwordless=True)], {})
    assert state.amr == ["mfa", "swk"]
    state._loaded = ([], {})
    assert state.amr == []
    assert state.level is None

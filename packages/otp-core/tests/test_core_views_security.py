"""``protect_page``: no framing (X-Frame-Options and CSP), no caching, the site's CSP kept."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from otp_core.views_security import deny_framing, protect_page

CLICKJACKING = "django.middleware.clickjacking.XFrameOptionsMiddleware"


@protect_page
def page(request):
    return HttpResponse("<p>hello</p>")


@protect_page
def page_with_policy(request):
    response = HttpResponse()
    response["Content-Security-Policy"] = "default-src 'self';"
    return response


def test_headers_on_a_plain_page(settings):
    response = page(RequestFactory().get("/"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    for part in ("no-cache", "no-store", "must-revalidate", "private"):
        assert part in response["Cache-Control"]


def test_an_existing_policy_gets_the_directive_appended():
    response = page_with_policy(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'"


def test_an_existing_frame_ancestors_directive_is_left_alone():
    response = HttpResponse()
    response["Content-Security-Policy"] = "default-src 'none'; Frame-Ancestors 'self'"
    deny_framing(response)
    assert response["Content-Security-Policy"] == "default-src 'none'; Frame-Ancestors 'self'"
    assert response["X-Frame-Options"] == "DENY"


def test_django_csp_middleware_gets_an_override_not_a_header(settings):
    # django-csp does not write its policy over a header the view set: the
    # directive goes to it as csp_replace does, and the site's policy stays.
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "csp.middleware.CSPMiddleware"]
    response = HttpResponse()
    response._csp_replace = {"script-src": ["'self'"]}
    deny_framing(response)
    assert "Content-Security-Policy" not in response
    assert response._csp_replace == {"script-src": ["'self'"], "frame-ancestors": ["'none'"]}


def test_django_builtin_csp_middleware_gets_a_per_response_policy(settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "django.middleware.csp.ContentSecurityPolicyMiddleware",
    ]
    settings.SECURE_CSP = {"default-src": ["'self'"], "frame-ancestors": ["'self'"]}
    response = deny_framing(HttpResponse())
    assert "Content-Security-Policy" not in response
    assert response._csp_config == {"default-src": ["'self'"], "frame-ancestors": ["'none'"]}
    # Without a policy configured that middleware sends nothing: the header is ours.
    settings.SECURE_CSP = {}
    assert deny_framing(HttpResponse())["Content-Security-Policy"] == "frame-ancestors 'none'"


@pytest.mark.django_db
def test_core_login_view_protects_itself(client, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != CLICKJACKING]
    response = client.get("/login/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    for part in ("no-cache", "no-store", "private"):
        assert part in response["Cache-Control"]

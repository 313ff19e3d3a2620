"""Admin patching and the admin site that requires verified staff."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.test import RequestFactory
from django.urls import reverse

from two_factor_ui.admin import (
    AdminSiteOTPRequired,
    AdminSiteOTPRequiredMixin,
    is_admin_patched,
    patch_admin,
    unpatch_admin,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(user):
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


def test_admin_is_patched_by_default():
    assert is_admin_patched()


def test_patched_admin_login_redirects_to_two_factor_login(client):
    response = client.get("/admin/login/?next=/admin/auth/user/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/admin/auth/user/"


def test_patched_admin_login_drops_foreign_next(client):
    response = client.get("/admin/login/?next=http://evil.example/")
    assert response["Location"] == "/account/login/?next=/admin/"


def test_unpatch_restores_django_login(client):
    unpatch_admin()
    try:
        assert not is_admin_patched()
        response = client.get("/admin/login/")
        assert response.status_code == 200
        assert 'name="username"' in response.content.decode()
    finally:
        patch_admin()
    assert is_admin_patched()


def _request(user, verified_device=None):
    from django.contrib.sessions.backends.db import SessionStore

    import otp_core
    from otp_core.middleware import attach

    request = RequestFactory().get("/admin/")
    request.session = SessionStore()
    request.user = user
    attach(request, user)
    if verified_device is not None:
        otp_core.login(request, verified_device)
    return request


def test_otp_required_site_refuses_unverified_staff(staff, example_device):
    site = AdminSiteOTPRequired(name="tfadmin")
    assert not site.has_permission(_request(staff))
    assert site.has_permission(_request(staff, example_device))


def test_otp_required_site_refuses_verified_non_staff(user, example_device):
    site = AdminSiteOTPRequired(name="tfadmin")
    assert not site.has_permission(_request(user, example_device))


def test_otp_required_site_login_redirects_with_next(staff):
    site = AdminSiteOTPRequired(name="admin")
    request = RequestFactory().get("/admin/login/", {"next": "/admin/auth/"})
    response = site.login(request)
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/admin/auth/"


def test_mixin_on_a_custom_site(staff, example_device):
    class MySite(AdminSiteOTPRequiredMixin, AdminSite):
        pass

    site = MySite(name="mine")
    assert not site.has_permission(_request(staff))
    assert site.has_permission(_request(staff, example_device))


def test_default_site_with_class_swapped(client, staff, example_device, login_flow, code_for):
    original = admin.site.__class__
    admin.site.__class__ = AdminSiteOTPRequired
    try:
        client.force_login(staff)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302  # signed in, but not verified
        client.logout()
        login_flow.password()
        login_flow.token(code_for(example_device))
        assert client.get(reverse("admin:index")).status_code == 200
    finally:
        admin.site.__class__ = original


def test_otp_core_admin_site_keeps_its_own_second_factor_form(client):
    # otp-core's OTPAdminSite asks for the code itself: the patch leaves it alone.
    response = client.get("/otpadmin/login/")
    assert response.status_code == 200
    assert 'name="otp_token"' in response.content.decode()

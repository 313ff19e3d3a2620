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


def _plain_login(path):
    """The login view of a plain AdminSite (the demo's admin.site requires a factor)."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    response = AdminSite(name="admin").login(request)
    return response.render() if hasattr(response, "render") else response


def test_patched_plain_admin_login_redirects_to_two_factor_login():
    response = _plain_login("/admin/login/?next=/admin/auth/user/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/admin/auth/user/"


def test_unpatch_restores_django_login():
    unpatch_admin()
    try:
        assert not is_admin_patched()
        response = _plain_login("/admin/login/")
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


def test_demo_admin_refuses_staff_with_a_password_alone(client, staff, login_flow):
    # Issue 8: a staff user with no device passed the two-factor login with a
    # password and reached the (patched, but plain) admin.
    login_flow.password()
    assert "_auth_user_id" in client.session  # signed in: no device to ask for
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith("/account/login/")
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 302


def test_admin_checks_see_the_patch_and_the_required_site():
    from otp_core.admin_checks import check_admin_site

    assert check_admin_site() == []  # the demo's admin.site is AdminSiteOTPRequired
    original = admin.site.__class__
    admin.site.__class__ = AdminSite
    try:
        # Patched: the login goes to the two-factor login, but the site still
        # admits unverified staff.
        assert [m.id for m in check_admin_site()] == ["otp_core.W004"]
        unpatch_admin()
        try:
            assert [m.id for m in check_admin_site()] == ["otp_core.W003"]
        finally:
            patch_admin()
    finally:
        admin.site.__class__ = original
    assert check_admin_site() == []

"""otp_core.W003/W004: Django's admin.site must not open with a password alone.

Also the documented recipe for a site with otp-core alone:
``admin.site.__class__ = OTPAdminSite`` in the root URLconf.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.core import checks
from django.test import override_settings
from django.urls import clear_url_caches, get_resolver, path

from otp_core.admin import OTPAdminSite
from otp_core.admin_checks import check_admin_site

#: A URLconf without the admin (override_settings(ROOT_URLCONF=__name__)).
urlpatterns = [path("nothing/", lambda request: None)]


def ids(messages) -> list[str]:
    return [m.id for m in messages]


@pytest.fixture
def admin_site_class():
    """Set admin.site's class for one test; the demo's class comes back after."""
    get_resolver().url_patterns  # the demo's URLconf sets admin.site's class on import
    original = admin.site.__class__

    def swap(cls):
        admin.site.__class__ = cls

    yield swap
    admin.site.__class__ = original


def test_the_demo_admin_requires_a_second_factor():
    assert check_admin_site() == []
    assert "otp_core.W003" not in ids(checks.run_checks())


def test_a_plain_admin_site_warns(admin_site_class):
    admin_site_class(AdminSite)
    messages = check_admin_site()
    # W004 when two-factor-ui patched every AdminSite's login, W003 otherwise.
    patched = AdminSite.login.__module__ != "django.contrib.admin.sites"
    assert ids(messages) == ["otp_core.W004" if patched else "otp_core.W003"]
    assert "password alone" in messages[0].msg
    assert "admin.site.__class__ = otp_core.admin.OTPAdminSite" in messages[0].hint
    assert ids(checks.run_checks(tags=[checks.Tags.admin])).count(messages[0].id) == 1


def test_a_site_with_its_own_login_but_no_factor_warns(admin_site_class):
    class OwnLogin(AdminSite):
        def login(self, request, extra_context=None):  # e.g. a redirect to an SSO page
            return super().login(request, extra_context)

    admin_site_class(OwnLogin)
    assert ids(check_admin_site()) == ["otp_core.W004"]


def test_an_otp_admin_site_or_an_unrouted_admin_is_fine(admin_site_class):
    admin_site_class(OTPAdminSite)
    assert check_admin_site() == []
    admin_site_class(AdminSite)
    with override_settings(ROOT_URLCONF=__name__):
        clear_url_caches()
        try:
            assert check_admin_site() == []
        finally:
            clear_url_caches()


@pytest.mark.django_db
def test_core_only_recipe_asks_staff_for_the_code(client, admin_site_class, user, device, otp_code):
    # docs/otp-core.rst: "admin.site.__class__ = OTPAdminSite". The demo's URLconf
    # applies it before building the admin's URLs; here the class is swapped
    # after, which is enough for everything but the login page's class.
    admin_site_class(OTPAdminSite)
    user.is_staff = True
    user.is_superuser = True
    user.save()
    client.force_login(user)  # a password alone
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/auth/user/").status_code == 302
    response = client.post(
        "/otpadmin/login/",
        {
            "username": "alice",
            "password": "correct horse",
            "otp_device": device.persistent_id,
            "otp_token": otp_code(device),
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

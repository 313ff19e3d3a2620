"""``otp_core.views.LoginView``: what a user with the right password and no device meets."""

from __future__ import annotations

import pytest
from django.urls import include, path, reverse

from otp_core.views import LoginView

pytestmark = pytest.mark.django_db

#: This module is also a URLconf: the refusing view, the allowing one, enrolment.
urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("open-login/", LoginView.as_view(allow_without_device=True), name="open_login"),
    path("account/2fa/", include("otp_core.urls")),
    path("", include("test_project.urls")),
]


def _post(client, url, **data):
    return client.post(url, {"username": "alice", "password": "correct horse", **data})


def test_no_device_is_refused_with_what_to_do(client, user):
    response = _post(client, "/login/")
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors().as_data()
    assert [e.code for e in errors] == ["no_device"]
    text = response.content.decode()
    assert "Your account has no two-factor device yet" in text
    assert "administrator" in text
    assert "_auth_user_id" not in client.session


@pytest.mark.urls(__name__)
def test_refusal_names_the_enrolment_page_when_it_is_installed(client, user):
    response = _post(client, "/login/")
    assert "/account/2fa/setup/" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_says_nothing_about_devices(client, user):
    response = client.post("/login/", {"username": "alice", "password": "wrong"})
    text = response.content.decode()
    assert "no two-factor device" not in text
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "invalid_login"
    ]


def test_a_user_with_a_device_still_needs_the_code(client, user, device):
    response = _post(client, "/login/")
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert "no_device" not in codes
    assert "_auth_user_id" not in client.session


@pytest.mark.urls(__name__)
def test_allowed_sign_in_without_device_goes_to_enrolment_unverified(client, user):
    response = _post(client, "/open-login/", next="/protected/decorator/")
    assert response.status_code == 302
    assert response["Location"] == (reverse("otp_core:setup") + "?next=%2Fprotected%2Fdecorator%2F")
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get("/")
    assert page.wsgi_request.user.is_verified() is False


@pytest.mark.urls(__name__)
def test_allowed_sign_in_still_needs_the_code_of_a_user_with_a_device(client, user, device):
    response = _post(client, "/open-login/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.urls(__name__)
def test_allowed_sign_in_keeps_refusing_a_wrong_password(client, user):
    response = client.post("/open-login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_page_is_readable_on_a_phone(client):
    text = client.get("/login/").content.decode()
    assert 'name="viewport"' in text

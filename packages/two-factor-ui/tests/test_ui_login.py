"""The login wizard: password, token, backup, next, enumeration, throttling, timeout."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone, translation

from otp_core.session import stored_verifications
from two_factor_ui.signals import user_verified

pytestmark = pytest.mark.django_db


def test_login_page_has_accessible_credentials_form(login_flow):
    response = login_flow.start()
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html
    assert "Sign in" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_auth-username"' in html
    assert 'autocomplete="current-password"' in html
    assert 'name="login_view-current_step" value="auth"' in html


def test_user_without_device_signs_in_with_password(client, user, login_flow):
    response = login_flow.password()
    assert response.status_code == 302
    assert response["Location"] == "/"  # LOGIN_REDIRECT_URL = "home"
    assert client.session[SESSION_KEY] == str(user.pk)
    # The password is recorded as a factor ("pwd"), nothing else.
    assert [v.amr for v in stored_verifications(client.session)] == ["pwd"]


def test_token_step_then_verified(client, user, example_device, login_flow, code_for):
    response = login_flow.password()
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="token-otp_token"' in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert SESSION_KEY not in client.session  # not signed in before the second factor
    response = login_flow.token(code_for(example_device))
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    [verification] = [v for v in stored_verifications(client.session) if v.amr != "pwd"]
    assert verification.device_id == example_device.persistent_id


def test_wrong_token_is_refused_with_error_tied_to_field(
    client, example_device, login_flow, code_for
):
    login_flow.password()
    response = login_flow.token("000000" if code_for(example_device) != "000000" else "111111")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Invalid code" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_token-otp_token_errors"' in html
    assert 'id="id_token-otp_token_errors"' in html
    assert SESSION_KEY not in client.session


def test_session_key_rotates_after_each_factor(client, example_device, login_flow, code_for):
    login_flow.start()
    first = client.session.session_key
    login_flow.password()
    second = client.session.session_key
    assert second != first
    login_flow.token(code_for(example_device))
    third = client.session.session_key
    assert third not in (first, second)


def test_password_is_not_kept_in_the_session(client, example_device, login_flow):
    login_flow.password()
    assert "correct horse" not in str(dict(client.session))


def test_no_user_enumeration(client, user, login_flow, strip_csrf):
    unknown = login_flow.password(username="nobody", password="x" * 12)
    wrong = login_flow.password(username="alice", password="x" * 12)
    assert unknown.status_code == wrong.status_code == 200
    normalise = lambda r: strip_csrf(r.content.decode()).replace("nobody", "alice")  # noqa: E731
    assert normalise(unknown) == normalise(wrong)


def test_next_is_followed_when_local(client, user, make_flow):
    flow = make_flow(client, next_url="/protected/mixin/")
    flow.start()
    response = flow.password()
    assert response["Location"] == "/protected/mixin/"


@pytest.mark.parametrize(
    "target",
    ["http://evil.example/", "//evil.example/", "https://evil.example/x", "javascript:alert(1)"],
)
def test_next_to_other_hosts_is_refused(client, user, example_device, target, code_for, make_flow):
    flow = make_flow(client, next_url=target)
    flow.start()
    flow.password()
    response = flow.token(code_for(example_device))
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_posted_with_password_is_validated(client, user, make_flow):
    flow = make_flow(client)
    flow.start()
    response = flow.password(next="http://evil.example/")
    assert response["Location"] == "/"


def test_csrf_is_enforced(user, make_flow):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    flow = make_flow(strict)
    flow.start()
    response = flow.password()
    assert response.status_code == 403


def test_user_verified_signal(client, user, example_device, login_flow, code_for):
    received = []

    def receiver(sender, request, user, device, **kwargs):
        received.append((sender, user, device))

    user_verified.connect(receiver)
    try:
        login_flow.password()
        login_flow.token(code_for(example_device))
    finally:
        user_verified.disconnect(receiver)
    [(sender, who, device)] = received
    assert sender == "two_factor_ui.views.login"
    assert who == user
    assert device == example_device


def test_throttled_token_shows_wait_message(client, example_device, login_flow, code_for):
    example_device.throttling_failure_count = 3
    example_device.throttling_failure_timestamp = timezone.now()
    example_device.save()
    login_flow.password()
    response = login_flow.token(code_for(example_device))
    html = response.content.decode()
    assert "Too many failed attempts" in html
    assert "seconds" in html
    assert SESSION_KEY not in client.session


def test_login_timeout_restarts(client, settings, example_device, login_flow, code_for):
    settings.TWO_FACTOR_LOGIN_TIMEOUT = 600
    login_flow.password()
    session = client.session
    session["wizard_login_view"]["extra_data"]["auth_time"] = time.time() - 601
    session.save()
    response = login_flow.token(code_for(example_device))
    assert response.status_code == 200
    html = response.content.decode()
    assert "took too long" in html
    assert 'name="auth-username"' in html
    assert SESSION_KEY not in client.session


def test_login_timeout_zero_disables(client, settings, example_device, login_flow, code_for):
    settings.TWO_FACTOR_LOGIN_TIMEOUT = 0
    login_flow.password()
    session = client.session
    session["wizard_login_view"]["extra_data"]["auth_time"] = time.time() - 10**6
    session.save()
    response = login_flow.token(code_for(example_device))
    assert response.status_code == 302


def test_other_device_can_be_chosen_and_gets_its_challenge(
    client, user, example_device, challenge_device, login_flow
):
    from otp_example.models import outbox

    response = login_flow.password()
    html = response.content.decode()
    # The example HOTP device is first; the text-message device is offered.
    assert f'value="{challenge_device.persistent_id}"' in html
    response = login_flow.post("token", challenge_device=challenge_device.persistent_id)
    assert response.status_code == 200
    assert len(outbox) == 1
    assert "Code sent." in response.content.decode()
    response = login_flow.token(outbox[-1])
    assert response.status_code == 302
    [verification] = [v for v in stored_verifications(client.session) if v.amr != "pwd"]
    assert verification.device_id == challenge_device.persistent_id


def test_someone_elses_device_cannot_be_chosen(
    client, user, other_user, example_device, login_flow, code_for
):
    from otp_example.models import ExampleDevice

    foreign = ExampleDevice.objects.create(user=other_user, name="x", key="00" * 20)
    login_flow.password()
    login_flow.post("token", challenge_device=foreign.persistent_id)
    response = login_flow.token(code_for(foreign))
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_token_step_cannot_be_skipped(client, example_device, login_flow):
    login_flow.password()
    # A crafted post naming a step that does not apply is not a way around.
    response = login_flow.post("backup", {"otp_token": "123456"})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_token_without_password_is_refused(client, example_device, login_flow, code_for):
    login_flow.start()
    response = login_flow.token(code_for(example_device))
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_login_redirect_url_setting(client, settings, user, login_flow):
    settings.LOGIN_REDIRECT_URL = "/protected/mixin/"
    assert login_flow.password()["Location"] == "/protected/mixin/"


def test_login_redirect_url_may_be_a_url_name(client, settings, user, login_flow):
    settings.LOGIN_REDIRECT_URL = "two_factor:profile"
    assert login_flow.password()["Location"] == reverse("two_factor:profile")


def test_setting_url_takes_paths_and_urls_as_they_are(settings):
    """A path is not tried as a URL name first (no reverse lookup: issue 15)."""
    from two_factor_ui.redirects import setting_url

    settings.LOGIN_REDIRECT_URL = "/x/"
    assert setting_url("LOGIN_REDIRECT_URL") == "/x/"
    settings.LOGIN_REDIRECT_URL = "https://example.com/after/"
    assert setting_url("LOGIN_REDIRECT_URL") == "https://example.com/after/"
    settings.LOGIN_REDIRECT_URL = "two_factor:login"
    assert setting_url("LOGIN_REDIRECT_URL") == reverse("two_factor:login")
    settings.LOGIN_REDIRECT_URL = None
    assert setting_url("LOGIN_REDIRECT_URL", "/fallback/") == "/fallback/"


def test_the_code_step_says_which_device_and_starts_over_on_this_page(
    client, example_device, login_flow
):
    html = login_flow.password().content.decode()
    label = example_device.kind_label()
    assert f"<p>Enter the code from your {label}" in html
    # "Start over" is the page the form is on, wherever the view is routed.
    assert f'<a href="{reverse("two_factor:login")}">Start over</a>' in html


@pytest.fixture
def locale_middleware(settings):
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "django.middleware.locale.LocaleMiddleware",
    )
    settings.MIDDLEWARE = middleware
    yield
    # LocaleMiddleware leaves its language active in this thread.
    translation.deactivate()


@pytest.mark.parametrize(
    ("language", "heading", "button"),
    [("de", "Anmelden", "Weiter"), ("nl", "Inloggen", "Volgende"), ("en", "Sign in", "Next")],
)
def test_login_page_is_translated(client, locale_middleware, language, heading, button):
    response = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f">{heading}</h1>" in html
    assert f">{button}</button>" in html


def test_otp_core_messages_are_translated(
    client, locale_middleware, example_device, login_flow, code_for
):
    client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="de")
    login_flow.password()
    response = client.post(
        login_flow.url,
        {"login_view-current_step": "token", "token-otp_token": "x"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    html = response.content.decode()
    assert "Ungültiger Code" in html
    assert "Bestätigen" in html


def test_login_timeout_default_is_600():
    from two_factor_ui.conf import ui_settings

    assert not hasattr(settings, "TWO_FACTOR_LOGIN_TIMEOUT")
    assert ui_settings.TWO_FACTOR_LOGIN_TIMEOUT == 600
    assert timedelta(seconds=ui_settings.TWO_FACTOR_LOGIN_TIMEOUT) == timedelta(minutes=10)


def test_user_deactivated_after_password_is_not_signed_in(
    client, user, example_device, login_flow, code_for
):
    login_flow.password()
    user.is_active = False
    user.save()
    response = login_flow.token(code_for(example_device))
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert [v.amr for v in stored_verifications(client.session)] == []
    assert 'name="login_view-current_step" value="auth"' in response.content.decode()

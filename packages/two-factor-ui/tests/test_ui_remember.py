"""Remember-this-browser: the signed cookie, its limits and its refusals."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import signing

from otp_core.session import stored_verifications
from two_factor_ui import remember

pytestmark = pytest.mark.django_db

PREFIX = "remember-cookie_"


@pytest.fixture
def remember_on(settings):
    settings.TWO_FACTOR_REMEMBER_COOKIE_AGE = 3600
    return settings


def sign_in_remembering(client, device, flow, code_for):
    flow.password()
    response = flow.token(code_for(device), remember="1")
    assert response.status_code == 302
    return response


def remember_cookie(response):
    [name] = [n for n in response.cookies if n.startswith(PREFIX)]
    return response.cookies[name]


def fresh_login(client, flow):
    """Sign out (the test client then drops all cookies) and sign in again,
    keeping the remember cookies as a browser would."""
    kept = {
        k: v.value
        for k, v in client.cookies.items()
        if k.startswith(PREFIX) or k.startswith("keep_")
    }
    client.logout()
    for key, value in kept.items():
        client.cookies[key] = value
    return flow.password()


def test_off_by_default(client, example_device, login_flow, code_for):
    html = login_flow.password().content.decode()
    assert 'name="remember"' not in html
    response = login_flow.token(code_for(example_device), remember="1")
    assert not any(n.startswith(PREFIX) for n in response.cookies)


def test_cookie_attributes(client, remember_on, example_device, login_flow, code_for):
    html = login_flow.password().content.decode()
    assert 'name="remember"' in html
    assert "Remember this browser" in html
    cookie = remember_cookie(login_flow.token(code_for(example_device), remember="1"))
    assert len(cookie.key) == len(PREFIX) + 32
    assert cookie["max-age"] == 3600
    assert cookie["path"] == "/"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    assert cookie["domain"] == ""


def test_cookie_settings_are_honoured(client, remember_on, example_device, login_flow, code_for):
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_PREFIX = "keep_"
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_PATH = "/account/"
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_SECURE = True
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_HTTPONLY = False
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_SAMESITE = "Strict"
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_DOMAIN = "example.com"
    login_flow.password()
    response = login_flow.token(code_for(example_device), remember="1")
    [name] = [n for n in response.cookies if n.startswith("keep_")]
    cookie = response.cookies[name]
    assert cookie["path"] == "/account/"
    assert cookie["secure"] is True
    assert not cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["domain"] == "example.com"


def test_cookie_is_secure_when_the_session_cookie_is(
    client, remember_on, example_device, login_flow, code_for
):
    remember_on.SESSION_COOKIE_SECURE = True
    login_flow.password()
    cookie = remember_cookie(login_flow.token(code_for(example_device), remember="1"))
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_explicit_secure_setting_wins_over_the_session_cookie(remember_on):
    remember_on.SESSION_COOKIE_SECURE = True
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_SECURE = False
    assert remember.cookie_secure() is False
    remember_on.SESSION_COOKIE_SECURE = False
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_SECURE = True
    assert remember.cookie_secure() is True


def test_deploy_check_warns_about_an_insecure_remember_cookie(remember_on):
    from django.core.checks import run_checks

    def deploy_ids():
        return {m.id for m in run_checks(include_deployment_checks=True)}

    remember_on.SESSION_COOKIE_SECURE = False
    assert "two_factor_ui.W003" in deploy_ids()
    assert "two_factor_ui.W003" not in {m.id for m in run_checks()}
    remember_on.SESSION_COOKIE_SECURE = True
    assert "two_factor_ui.W003" not in deploy_ids()
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_SECURE = False
    assert "two_factor_ui.W003" in deploy_ids()
    # Remember-browser off: no cookie, nothing to warn about.
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_AGE = None
    assert "two_factor_ui.W003" not in deploy_ids()


def test_secure_setting_check(settings):
    from two_factor_ui.checks import check_settings

    settings.TWO_FACTOR_REMEMBER_COOKIE_SECURE = 1
    assert "two_factor_ui.E005" in {e.id for e in check_settings()}
    settings.TWO_FACTOR_REMEMBER_COOKIE_SECURE = None
    assert "two_factor_ui.E005" not in {e.id for e in check_settings()}


def test_remembered_browser_skips_token_step(
    client, user, remember_on, example_device, login_flow, code_for
):
    sign_in_remembering(client, example_device, login_flow, code_for)
    response = fresh_login(client, login_flow)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    # The skipped step still records a verification by the authorising device.
    [verification] = stored_verifications(client.session)
    assert verification.device_id == example_device.persistent_id


def test_not_remembered_without_opt_in(client, remember_on, example_device, login_flow, code_for):
    login_flow.password()
    login_flow.token(code_for(example_device))
    assert fresh_login(client, login_flow).status_code == 200


def test_expired_cookie_is_refused(client, remember_on, example_device, login_flow, code_for):
    response = sign_in_remembering(client, example_device, login_flow, code_for)
    cookie = remember_cookie(response)
    # Re-sign the same value as if it had been made two hours ago.
    value = signing.loads(cookie.value, salt=remember.SALT)
    old = signing.TimestampSigner(salt=remember.SALT)
    old.timestamp = lambda: signing.b62_encode(int(time.time()) - 7200)  # type: ignore[method-assign]
    client.cookies[cookie.key] = old.sign_object(value, compress=True)
    assert fresh_login(client, login_flow).status_code == 200


def test_age_setting_bounds_validity(client, remember_on, example_device, login_flow, code_for):
    sign_in_remembering(client, example_device, login_flow, code_for)
    remember_on.TWO_FACTOR_REMEMBER_COOKIE_AGE = 1
    time.sleep(2.1)
    assert fresh_login(client, login_flow).status_code == 200


def test_password_change_invalidates(
    client, user, remember_on, example_device, login_flow, code_for
):
    sign_in_remembering(client, example_device, login_flow, code_for)
    user.set_password("correct horse")  # same password, new salt: a new hash
    user.save()
    assert fresh_login(client, login_flow).status_code == 200


def test_device_removal_invalidates(
    client, user, remember_on, example_device, login_flow, code_for
):
    from otp_example.models import ExampleDevice

    sign_in_remembering(client, example_device, login_flow, code_for)
    example_device.delete()
    other = ExampleDevice.objects.create(user=user, name="New", key="11" * 20)
    response = fresh_login(client, login_flow)
    assert response.status_code == 200
    assert 'name="token-otp_token"' in response.content.decode()
    assert other.persistent_id  # the new device is asked for instead


def test_unconfirmed_device_invalidates(client, remember_on, example_device, login_flow, code_for):
    from otp_example.models import ExampleDevice

    sign_in_remembering(client, example_device, login_flow, code_for)
    ExampleDevice.objects.create(user=example_device.user, name="Other", key="22" * 20)
    example_device.confirmed = False
    example_device.save()
    assert fresh_login(client, login_flow).status_code == 200


def test_tampered_cookie_is_refused(client, remember_on, example_device, login_flow, code_for):
    cookie = remember_cookie(sign_in_remembering(client, example_device, login_flow, code_for))
    value = cookie.value
    client.cookies[cookie.key] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert fresh_login(client, login_flow).status_code == 200


def test_forged_cookie_for_other_user_is_refused(
    client, user, other_user, remember_on, example_device, login_flow, code_for
):
    from otp_example.models import ExampleDevice

    ExampleDevice.objects.create(user=other_user, name="Bob's", key="33" * 20)
    sign_in_remembering(client, example_device, login_flow, code_for)
    kept = {k: v.value for k, v in client.cookies.items() if k.startswith(PREFIX)}
    client.logout()
    for key, value in kept.items():
        client.cookies[key] = value
    # Alice's cookie does not let Bob skip his token step.
    assert login_flow.password("bob", "battery staple").status_code == 200

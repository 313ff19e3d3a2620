"""Remember-this-browser: the signed cookie, its limits and its refusals."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import checks, signing

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
    [verification] = [v for v in stored_verifications(client.session) if v.amr != "pwd"]
    assert verification.device_id == example_device.persistent_id


def test_a_remembered_sign_in_is_not_a_fresh_factor(
    client, user, remember_on, example_device, login_flow, code_for
):
    """The verification a remembered browser stands for is as old as the remembering,
    so a maximum age (sudo mode, a recent-factor policy) still asks for a fresh code."""
    from django.urls import reverse

    sign_in_remembering(client, example_device, login_flow, code_for)
    [record] = records(user)
    record.remembered_at -= timedelta(minutes=30)  # remembered half an hour ago
    record.save(update_fields=["remembered_at"])
    half_an_hour_ago = record.remembered_at.timestamp()
    fresh_login(client, login_flow)
    [verification] = [v for v in stored_verifications(client.session) if v.amr != "pwd"]
    assert abs(verification.at - half_an_hour_ago) < 1
    assert client.get("/protected/decorator/").status_code == 200  # any factor: still verified
    sudo = client.get(reverse("two_factor:disable"))
    assert sudo.status_code == 302
    assert sudo["Location"].startswith(reverse("two_factor:step_up"))


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


# -- remembered browsers are records: listed, forgotten, and forgotten for you --

FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"


def records(user):
    """The user's remembered browsers: signed-in browser rows marked remembered."""
    from otp_core.models import SignedInBrowser

    return list(SignedInBrowser.objects.filter(user=user, remembered_at__isnull=False))


def restore(client, cookie):
    """Put a cookie back, as someone who copied it would."""
    client.cookies[cookie.key] = cookie.value


def test_each_remembered_browser_is_a_record(
    client, user, remember_on, example_device, login_flow, code_for
):
    client.defaults["HTTP_USER_AGENT"] = FIREFOX_ANDROID
    cookie = remember_cookie(sign_in_remembering(client, example_device, login_flow, code_for))
    [record] = records(user)
    assert record.user_agent == "Firefox on Android"
    assert record.remembered_device_id == example_device.persistent_id
    assert record.signed_in
    # The cookie's browser id is not stored, only its digest.
    browser_id = signing.loads(cookie.value, salt=remember.SALT)["b"]
    assert browser_id not in record.key_digest
    assert len(record.key_digest) == 64
    client.logout()  # the row stays, signed out: the browser is still known
    [record] = records(user)
    assert not record.signed_in
    assert record.verifications == []
    restore(client, cookie)
    assert login_flow.password().status_code == 302
    # The same row is signed in again (no second one), with the remembered factor.
    [again] = records(user)
    assert again.pk == record.pk
    assert again.signed_in
    assert [v["d"] for v in again.verifications if v["k"] != "pwd"] == [
        example_device.persistent_id
    ]
    assert user.otp_signed_in_browsers.count() == 1


def test_a_cookie_without_a_record_is_refused(
    client, user, remember_on, example_device, login_flow, code_for
):
    cookie = remember_cookie(sign_in_remembering(client, example_device, login_flow, code_for))
    data = signing.loads(cookie.value, salt=remember.SALT)
    # The cookie of earlier versions (no browser id) is refused...
    old = {k: v for k, v in data.items() if k != "b"}
    client.cookies[cookie.key] = signing.dumps(old, salt=remember.SALT, compress=True)
    assert fresh_login(client, login_flow).status_code == 200
    # ...and so is a valid one whose record is gone.
    restore(client, cookie)
    records(user)[0].delete()
    assert fresh_login(client, login_flow).status_code == 200


def test_a_record_does_not_vouch_for_another_device(
    client, user, remember_on, example_device, login_flow, code_for
):
    from otp_example.models import ExampleDevice

    other = ExampleDevice.objects.create(user=user, name="Other", key="66" * 20)
    cookie = remember_cookie(sign_in_remembering(client, example_device, login_flow, code_for))
    data = signing.loads(cookie.value, salt=remember.SALT)
    data["d"] = other.persistent_id
    client.cookies[cookie.key] = signing.dumps(data, salt=remember.SALT, compress=True)
    assert fresh_login(client, login_flow).status_code == 200


def test_the_account_page_lists_and_forgets_one_browser(
    client, user, remember_on, example_device, login_flow, code_for
):
    from django.urls import reverse

    client.defaults["HTTP_USER_AGENT"] = FIREFOX_ANDROID
    cookie = remember_cookie(sign_in_remembering(client, example_device, login_flow, code_for))
    html = client.get(reverse("two_factor:profile")).content.decode()
    assert "Firefox on Android" in html
    assert '<span class="tf-badge">This browser</span>' in html
    assert "verified with Example codes (Phone app)" in html
    [record] = records(user)
    response = client.post(reverse("two_factor:forget_browser"), {"browser": str(record.pk)})
    assert response.status_code == 302
    assert response.cookies[cookie.key]["max-age"] == 0  # this browser's cookie goes too
    assert records(user) == []
    # A copy of the cookie no longer works anywhere.
    restore(client, cookie)
    assert fresh_login(client, login_flow).status_code == 200


def test_forget_all_browsers(
    client, user, remember_on, example_device, login_flow, code_for, make_flow
):
    from django.test import Client
    from django.urls import reverse

    elsewhere = Client()
    elsewhere_flow = make_flow(elsewhere)
    sign_in_remembering(elsewhere, example_device, elsewhere_flow, code_for)
    example_device.refresh_from_db()  # its counter moved on
    sign_in_remembering(client, example_device, login_flow, code_for)
    assert len(records(user)) == 2
    html = client.get(reverse("two_factor:profile")).content.decode()
    assert html.count('<span class="tf-badge">This browser</span>') == 1
    response = client.post(reverse("two_factor:forget_browser"), {"all": "1"}, follow=True)
    assert "2 browsers forgotten." in [str(m) for m in response.context["messages"]]
    assert records(user) == []
    assert fresh_login(elsewhere, elsewhere_flow).status_code == 200


def test_forgetting_is_post_only_and_only_ones_own(
    client, user, other_user, remember_on, example_device, login_flow, code_for
):
    from django.urls import reverse
    from django.utils import timezone

    from otp_core.models import SignedInBrowser

    sign_in_remembering(client, example_device, login_flow, code_for)
    theirs = SignedInBrowser.objects.create(
        user=other_user, key_digest="0" * 64, remembered_at=timezone.now(), remembered_device_id="x"
    )
    url = reverse("two_factor:forget_browser")
    assert client.get(url).status_code == 405
    assert client.post(url, {"browser": str(theirs.pk)}).status_code == 302
    assert client.post(url, {"browser": "99999999999999999999999"}).status_code == 302
    assert SignedInBrowser.objects.filter(pk=theirs.pk, remembered_at__isnull=False).exists()
    assert len(records(user)) == 1


def test_signing_out_forgets_this_browser(
    client, user, remember_on, example_device, login_flow, code_for
):
    from django.urls import reverse

    cookie = remember_cookie(sign_in_remembering(client, example_device, login_flow, code_for))
    response = client.post(reverse("two_factor:logout"))
    assert response.status_code == 302
    assert response.cookies[cookie.key]["max-age"] == 0
    assert records(user) == []
    restore(client, cookie)
    assert login_flow.password().status_code == 200  # the code is asked again


def test_signing_out_can_keep_remembering(
    client, user, remember_on, example_device, login_flow, code_for
):
    from django.urls import reverse

    sign_in_remembering(client, example_device, login_flow, code_for)
    html = client.get(reverse("two_factor:profile")).content.decode()
    assert 'name="keep_remembered"' in html
    response = client.post(reverse("two_factor:logout"), {"keep_remembered": "1"})
    assert response.status_code == 302
    assert not any(n.startswith(PREFIX) for n in response.cookies)
    [record] = records(user)
    assert not record.signed_in
    assert login_flow.password().status_code == 302


def test_a_password_change_deletes_the_records(
    client, user, remember_on, example_device, login_flow, code_for
):
    sign_in_remembering(client, example_device, login_flow, code_for)
    user.first_name = "Alice"
    user.save()  # not a password change
    assert len(records(user)) == 1
    user.set_password("a new password")
    user.save()
    assert records(user) == []


def test_removing_the_verifying_device_or_disabling_forgets(
    client, user, remember_on, example_device, login_flow, code_for, make_flow
):
    from django.test import Client
    from otp_example.models import ExampleDevice

    from otp_core.removal import disable_two_factor, remove_device

    other = ExampleDevice.objects.create(user=user, name="Other", key="77" * 20)
    sign_in_remembering(client, example_device, login_flow, code_for)
    elsewhere = Client()
    elsewhere_flow = make_flow(elsewhere)
    elsewhere_flow.password()
    elsewhere_flow.post("token", challenge_device=other.persistent_id)
    assert elsewhere_flow.token(code_for(other), remember="1").status_code == 302
    assert {r.remembered_device_id for r in records(user)} == {
        example_device.persistent_id,
        other.persistent_id,
    }
    remove_device(example_device)
    assert [r.remembered_device_id for r in records(user)] == [other.persistent_id]
    disable_two_factor(user)
    assert records(user) == []


def test_checks_are_registered_by_path_with_their_tags():
    """Tags and ``deploy`` as ``@register(...)`` gave them (issue 15: registered by path)."""
    registry = checks.registry.registry
    found = {
        (check.__name__, deploy): tuple(sorted(check.tags))
        for deploy, registered in (
            (False, registry.registered_checks),
            (True, registry.deployment_checks),
        )
        for check in registered
        if check.__module__ == "two_factor_ui.checks"
    }
    assert found == {
        ("check_settings", False): (),
        ("check_enforcement", False): (),
        ("check_sensitive_max_age", False): (),
        ("check_remember_cookie_deploy", True): ("security",),
    }

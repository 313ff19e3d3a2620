"""otp-webauthn in two-factor-ui's pages, through the plugin hooks only.

The software authenticator of ``tests/authenticator.py`` plays the browser's
part: it answers the options the pages carry, and the forms check its
answers through the same ceremonies as the JSON views.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from otp_core.models import AccountThrottle
from otp_core.session import record_verification, second_factor_verifications
from otp_webauthn.models import WebAuthnDevice

from ..authenticator import Authenticator

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse"


def wizard_post(client, step, fields=None):
    data = {"setup_view-current_step": step}
    data.update({f"{step}-{k}": v for k, v in (fields or {}).items()})
    return client.post(reverse("two_factor:setup"), data)


def open_webauthn_step(client):
    client.get(reverse("two_factor:setup"))
    response = wizard_post(client, "welcome")
    if 'name="method-method"' in response.content.decode():
        response = wizard_post(client, "method", {"method": "webauthn"})
    assert 'data-otp-webauthn="register"' in response.content.decode()
    return response


def register_in_wizard(client, ceremonies, authenticator, name="Blue key", **spoil):
    open_webauthn_step(client)
    options = ceremonies.begin("register")
    credential = json.dumps(authenticator.create(options, **spoil))
    return wizard_post(client, "webauthn-0", {"name": name, "credential": credential})


def page_options(response) -> dict:
    found = re.search(
        r'<script id="otp-webauthn-options" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the page carries no options"
    return json.loads(html.unescape(found.group(1)))


def password_step(client, user):
    client.get(reverse("two_factor:login"))
    return client.post(
        reverse("two_factor:login"),
        {
            "login_view-current_step": "auth",
            "auth-username": user.username,
            "auth-password": PASSWORD,
        },
    )


def token_post(client, assertion):
    return client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": "token", "token-assertion": assertion},
    )


# -- set-up ------------------------------------------------------------------------


def test_setup_wizard_registers_and_names_the_key(client, user, ceremonies, authenticator):
    client.force_login(user)
    response = register_in_wizard(client, ceremonies, authenticator, name="Blue key")
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:setup_complete"))
    device = WebAuthnDevice.objects.get(user=user)
    assert (device.name, device.confirmed, device.factor_kind) == ("Blue key", True, "hwk")
    # "none" attestation signs no challenge: the session is not verified by it.
    assert second_factor_verifications(client.session) == []


def test_setup_step_without_a_ceremony_is_a_form_error(client, user):
    client.force_login(user)
    open_webauthn_step(client)
    response = wizard_post(client, "webauthn-0", {"name": "Blue key", "credential": ""})
    assert response.status_code == 200
    assert "not registered yet" in html.unescape(response.content.decode())
    assert not WebAuthnDevice.objects.exists()


@pytest.mark.parametrize(
    ("credential", "message"),
    [
        ("not json", "could not be read"),
        ('["a list"]', "could not be read"),
        ("{}", "could not be read"),
    ],
)
def test_setup_step_refuses_garbage(client, user, ceremonies, credential, message):
    client.force_login(user)
    open_webauthn_step(client)
    ceremonies.begin("register")
    response = wizard_post(client, "webauthn-0", {"name": "k", "credential": credential})
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not WebAuthnDevice.objects.exists()


def test_setup_step_checks_the_credential_itself(client, user, ceremonies, authenticator):
    """A wrong origin is refused by the form: no client flag is trusted."""
    client.force_login(user)
    response = register_in_wizard(client, ceremonies, authenticator, origin="https://evil.example")
    assert response.status_code == 200
    assert "was not accepted" in html.unescape(response.content.decode())
    assert not WebAuthnDevice.objects.exists()


def test_setup_step_refuses_another_users_challenge(
    client, user, other_user, ceremonies, authenticator
):
    """Options issued to one user cannot register a key for another."""
    client.force_login(other_user)
    options = ceremonies.begin("register")
    credential = json.dumps(authenticator.create(options))
    client.force_login(user)
    open_webauthn_step(client)
    response = wizard_post(client, "webauthn-0", {"name": "k", "credential": credential})
    assert response.status_code == 200
    assert not WebAuthnDevice.objects.exists()


# -- second factor at login --------------------------------------------------------


@pytest.fixture
def key_user(user, client, ceremonies, authenticator):
    client.force_login(user)
    assert ceremonies.register(authenticator).status_code == 200
    client.logout()
    return user


def test_login_token_step_is_a_button_not_a_code_field(client, key_user):
    response = password_step(client, key_user)
    text = html.unescape(response.content.decode())
    assert 'data-otp-webauthn="authenticate"' in text
    assert "Use your security key" in text
    assert 'name="token-otp_token"' not in text
    assert ">Verify</button>" not in text
    assert "Send a new code" not in text
    assert "Enter the code" not in text
    assert '<script type="module" src="/static/otp_webauthn/webauthn.js">' in text
    options = page_options(response)
    assert [c["id"] for c in options["allowCredentials"]]


def test_login_with_password_and_key(client, key_user, authenticator):
    response = password_step(client, key_user)
    answer = authenticator.get(page_options(response))
    response = token_post(client, json.dumps(answer))
    assert response.status_code == 302
    [entry] = second_factor_verifications(client.session)
    device = WebAuthnDevice.objects.get(user=key_user)
    assert (entry.device_id, entry.amr, entry.passwordless) == (device.persistent_id, "hwk", False)
    device.refresh_from_db()
    assert device.sign_count == authenticator.count


@pytest.mark.parametrize(
    "spoil",
    [{"origin": "https://evil.example"}, {"signer": "forger"}, {"challenge": "AAAA"}],
)
def test_a_refused_assertion_is_a_form_error_and_counts_nothing(
    client, key_user, authenticator, spoil, settings
):
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 2
    if spoil.get("signer") == "forger":
        spoil = {"signer": Authenticator()}
    response = password_step(client, key_user)
    for _ in range(3):
        answer = authenticator.get(page_options(response), **spoil)
        response = token_post(client, json.dumps(answer))
        assert response.status_code == 200
        assert "not accepted" in html.unescape(response.content.decode())
    assert "_auth_user_id" not in client.session
    assert not AccountThrottle.objects.filter(user=key_user, failure_count__gt=0).exists()
    # The person's own key still works.
    answer = authenticator.get(page_options(response))
    assert token_post(client, json.dumps(answer)).status_code == 302


@pytest.mark.parametrize("garbage", ["", "{", "[]", '{"response": 1}', "x" * 70000])
def test_garbage_assertions_are_form_errors(client, key_user, garbage):
    password_step(client, key_user)
    response = token_post(client, garbage)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_typed_code_never_passes_a_key(client, key_user):
    password_step(client, key_user)
    response = client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": "token", "token-otp_token": "123456"},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# -- the password page's passkey sign-in ------------------------------------------------


def test_login_page_offers_passkeys(client):
    text = client.get(reverse("two_factor:login") + "?next=/protected/decorator/").content.decode()
    assert 'autocomplete="username webauthn"' in text
    assert 'data-otp-webauthn="passkey"' in text
    assert 'data-next="/protected/decorator/"' in text
    assert "Sign in with a passkey" in text
    assert "<script>" not in text  # no inline script: CSP-friendly


def test_no_passkeys_on_the_login_page_when_passwordless_is_off(client, settings):
    settings.OTP_WEBAUTHN_PASSWORDLESS = False
    text = client.get(reverse("two_factor:login")).content.decode()
    assert 'autocomplete="username"' in text
    assert "webauthn" not in text


def test_installed_but_not_in_installed_apps_is_not_offered(client, user, settings):
    """A site that installs otp-webauthn but leaves its app out shows no key anywhere."""
    from otp_core import plugins

    assert "webauthn" in plugins.enabled()
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "otp_webauthn"]
    assert "webauthn" in plugins.installed()
    assert "webauthn" not in plugins.enabled()
    text = client.get(reverse("two_factor:login")).content.decode()
    assert "webauthn" not in text
    assert "Sign in with a passkey" not in text
    client.force_login(user)
    client.get(reverse("two_factor:setup"))
    text = wizard_post(client, "welcome").content.decode()
    assert 'name="method-method"' in text
    assert 'value="webauthn"' not in text
    assert "Security key or passkey" not in text
    response = wizard_post(client, "method", {"method": "webauthn"})
    assert response.status_code == 200
    assert 'data-otp-webauthn="register"' not in response.content.decode()


def test_passkey_sign_in_follows_only_a_safe_next(client, key_user, authenticator, ceremonies):
    for target, expected in [
        ("/protected/decorator/", "/protected/decorator/"),
        ("https://evil.example/", "/"),
    ]:
        client.logout()
        options = ceremonies.begin("authenticate")
        body = {**authenticator.get(options), "next": target}
        response = ceremonies.post("authenticate-complete", body)
        assert response.status_code == 200, response.content
        assert response.json()["redirect"] == expected


# -- the account page -------------------------------------------------------------------


@pytest.fixture
def verified(client, key_user):
    client.force_login(key_user)
    device = WebAuthnDevice.objects.get(user=key_user)
    session = client.session
    record_verification(session, device)
    session.save()
    return device


def test_profile_lists_the_key_with_its_facts(client, verified):
    text = html.unescape(client.get(reverse("two_factor:profile")).content.decode())
    assert "Blue key" in text
    assert "device-bound key" in text
    assert "added " in text
    assert "never used" in text
    # two-factor-ui's account page offers its own Rename and Remove for every device.
    assert "Security key (Blue key)" in text
    device = verified.persistent_id.replace("/", "%2F")
    assert f"{reverse('two_factor:rename_device')}?device={device}" in text
    # The key this session was verified with: its removal is turning two-factor off.
    assert f'href="{reverse("two_factor:disable")}" aria-label="Remove Security key' in text


def test_synced_passkey_is_named_so(client, user, ceremonies):
    client.force_login(user)
    assert ceremonies.register(Authenticator(synced=True)).status_code == 200
    device = WebAuthnDevice.objects.get(user=user)
    session = client.session
    record_verification(session, device)
    session.save()
    text = html.unescape(client.get(reverse("two_factor:profile")).content.decode())
    assert "synced passkey" in text


def test_rename_a_key(client, verified):
    url = reverse("otp_webauthn:rename", kwargs={"pk": verified.pk})
    # The account page's button posts without a name: the form is shown.
    response = client.post(url, {"next": "/account/two_factor/"})
    assert response.status_code == 200
    assert 'value="Blue key"' in response.content.decode()
    assert client.post(url, {"name": "  ", "next": "/"}).status_code == 400
    response = client.post(url, {"name": "Red key", "next": "/account/two_factor/"})
    assert (response.status_code, response.url) == (302, "/account/two_factor/")
    verified.refresh_from_db()
    assert verified.name == "Red key"


def test_remove_a_key(client, verified, user, ceremonies):
    # The key this session was verified with is refused; a second one goes.
    remove = reverse("otp_webauthn:remove", kwargs={"pk": verified.pk})
    response = client.post(remove, {"next": "/account/two_factor/"})
    assert response.status_code == 302
    assert WebAuthnDevice.objects.filter(pk=verified.pk).exists()
    assert ceremonies.register(Authenticator(), name="Spare").status_code == 200
    spare = WebAuthnDevice.objects.get(name="Spare")
    response = client.post(
        reverse("otp_webauthn:remove", kwargs={"pk": spare.pk}), {"next": "https://evil.example/"}
    )
    assert (response.status_code, response.url) == (302, "/")
    assert not WebAuthnDevice.objects.filter(pk=spare.pk).exists()
    assert client.get(remove).status_code == 405


def test_another_users_key_is_not_found(client, verified, other_user):
    client.force_login(other_user)
    from otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=other_user, name="app")
    session = client.session
    record_verification(session, device)
    session.save()
    for name in ("rename", "remove"):
        url = reverse(f"otp_webauthn:{name}", kwargs={"pk": verified.pk})
        assert client.post(url, {"name": "mine"}).status_code == 404
    verified.refresh_from_db()
    assert verified.name == "Blue key"


def test_other_ways_to_sign_in_switch_between_key_and_app(client, key_user, authenticator):
    from otp_totp.models import TOTPDevice

    app = TOTPDevice.objects.create(user=key_user, name="Phone app")
    key = WebAuthnDevice.objects.get(user=key_user)
    response = password_step(client, key_user)
    text = html.unescape(response.content.decode())
    assert "Other ways to sign in" in text
    for target in (key, app, key):
        response = client.post(
            reverse("two_factor:login"),
            {"login_view-current_step": "token", "challenge_device": target.persistent_id},
        )
        text = response.content.decode()
        assert ('data-otp-webauthn="authenticate"' in text) is (target == key)
        assert ('name="token-otp_token"' in text) is (target == app)
    answer = authenticator.get(page_options(response))
    assert token_post(client, json.dumps(answer)).status_code == 302

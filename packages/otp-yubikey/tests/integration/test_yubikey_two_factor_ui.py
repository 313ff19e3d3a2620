"""YubiKey set-up and sign-in through two-factor-ui's wizards (needs two-factor-ui)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from otp_core.session import stored_verifications
from otp_yubikey.models import RemoteYubikeyDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse"


def post(client, url, prefix, step, fields=None):
    data = {f"{prefix}-current_step": step}
    data.update({f"{step}-{k}": v for k, v in (fields or {}).items()})
    return client.post(url, data)


def test_setup_wizard_offers_yubikey_and_one_touch_sets_it_up(client, user, service, key, ykval):
    setup = reverse("two_factor:setup")
    client.force_login(user)
    client.get(setup)
    response = post(client, setup, "setup_view", "welcome")
    html = response.content.decode()
    assert 'value="yubikey"' in html
    response = post(client, setup, "setup_view", "method", {"method": "yubikey"})
    html = response.content.decode()
    assert 'name="yubikey-0-otp"' in html
    assert "touch the key" in html
    otp = key.otp()
    response = post(client, setup, "setup_view", "yubikey-0", {"otp": otp})
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor:setup_complete")
    device = RemoteYubikeyDevice.objects.get(user=user)
    assert device.public_id == key.public_id
    assert stored_verifications(client.session)[-1].device_id == device.persistent_id


def test_setup_through_the_wizard_announces_the_key_and_mails_its_owner(
    client, user, service, key, ykval, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    from otp_core import signals

    settings.OTP_NOTIFY_USERS = True
    mail.outbox = []
    added = []

    def receiver(sender, device, request=None, **kwargs):
        added.append((sender, device.pk, request is not None))

    signals.device_added.connect(receiver, weak=False)
    try:
        setup = reverse("two_factor:setup")
        client.force_login(user)
        client.get(setup)
        post(client, setup, "setup_view", "welcome")
        post(client, setup, "setup_view", "method", {"method": "yubikey"})
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, setup, "setup_view", "yubikey-0", {"otp": key.otp()})
    finally:
        signals.device_added.disconnect(receiver)
    assert response.status_code == 302
    device = RemoteYubikeyDevice.objects.get(user=user)
    assert added == [(RemoteYubikeyDevice, device.pk, True)]
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "A second factor was added to your account"
    assert key.public_id not in message.body


def test_setup_wizard_without_a_validation_service_says_it_is_not_configured(
    client, user, key, ykval
):
    """The demo site offers YubiKeys but has no service until one is added."""
    setup = reverse("two_factor:setup")
    client.force_login(user)
    client.get(setup)
    post(client, setup, "setup_view", "welcome")
    post(client, setup, "setup_view", "method", {"method": "yubikey"})
    response = post(client, setup, "setup_view", "yubikey-0", {"otp": key.otp()})
    assert response.status_code == 200
    assert "YubiKey set-up is not configured on this site" in response.content.decode()
    assert not RemoteYubikeyDevice.objects.exists()
    assert ykval.requests == []


def test_setup_wizard_shows_a_refusal_as_a_form_error(client, user, service, key, ykval):
    setup = reverse("two_factor:setup")
    client.force_login(user)
    client.get(setup)
    post(client, setup, "setup_view", "welcome")
    post(client, setup, "setup_view", "method", {"method": "yubikey"})
    ykval.mode = "forge"
    response = post(client, setup, "setup_view", "yubikey-0", {"otp": key.otp()})
    assert response.status_code == 200
    assert "could not be verified" in response.content.decode()
    assert not RemoteYubikeyDevice.objects.exists()


@pytest.mark.parametrize("kind", ["local", "remote"])
def test_login_with_a_typed_otp(client, user, key, kind, request, settings):
    settings.OTP_YUBIKEY_THROTTLE_FACTOR = 0
    device = request.getfixturevalue(f"{kind}_device")
    login = reverse("two_factor:login")
    client.get(login)
    response = post(
        client, login, "login_view", "auth", {"username": "alice", "password": PASSWORD}
    )
    html = response.content.decode()
    assert 'name="token-otp_token"' in html
    assert 'inputmode="text"' in html
    # A replayed or foreign OTP is a form error, not a 500.
    response = post(
        client, login, "login_view", "token", {"otp_token": key.otp(public_id="cccccccccccc")}
    )
    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    response = post(client, login, "login_view", "token", {"otp_token": key.otp()})
    assert response.status_code == 302
    assert stored_verifications(client.session)[-1].device_id == device.persistent_id

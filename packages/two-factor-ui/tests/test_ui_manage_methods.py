"""The account page manages each method: remove, rename, ask first; disabling says so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from otp_core import signals
from two_factor_ui.methods import default_device, first_devices, set_default_device

pytestmark = pytest.mark.django_db

PROFILE = reverse("two_factor:profile")
REMOVE = reverse("two_factor:remove_device")
RENAME = reverse("two_factor:rename_device")
DEFAULT = reverse("two_factor:default_device")


@pytest.fixture
def second_device(user):
    from otp_example.models import ExampleDevice

    return ExampleDevice.objects.create(user=user, name="Work laptop", key="44" * 20)


@pytest.fixture
def verified(client, user, example_device, login_flow, code_for):
    login_flow.password()
    assert login_flow.token(code_for(example_device)).status_code == 302
    return client


@pytest.fixture
def removed_signals():
    received = []

    def receiver(sender, device, **kwargs):
        received.append((sender, device.name))

    signals.device_removed.connect(receiver)
    yield received
    signals.device_removed.disconnect(receiver)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_profile_names_each_device_and_offers_its_actions(verified, example_device, second_device):
    html = verified.get(PROFILE).content.decode()
    assert "Example codes (Phone app)" in html
    assert "Example codes (Work laptop)" in html
    assert "Asked first" in html
    assert f'value="{second_device.persistent_id}"' in html  # its "Ask for this first" form
    assert 'aria-label="Ask for Example codes (Work laptop) first"' in html
    assert f"{RENAME}?device={second_device.persistent_id.replace('/', '%2F')}" in html
    assert f"{REMOVE}?device={second_device.persistent_id.replace('/', '%2F')}" in html
    assert "You signed in with this, so it cannot be removed" in html
    # No Remove for the device this session used (another one is left).
    assert f"{REMOVE}?device={example_device.persistent_id.replace('/', '%2F')}" not in html


def test_the_only_method_has_no_ask_first_and_its_removal_is_disabling(verified, example_device):
    html = verified.get(PROFILE).content.decode()
    assert "Ask for this first" not in html
    assert f'href="{reverse("two_factor:disable")}" aria-label="Remove' in html
    response = verified.get(REMOVE, {"device": example_device.persistent_id})
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor:disable")
    response = verified.post(REMOVE, {"device": example_device.persistent_id})
    assert response["Location"] == reverse("two_factor:disable")
    example_device.refresh_from_db()  # still there


def test_make_default_changes_the_first_step(
    client, user, verified, example_device, second_device, make_flow, code_for
):
    assert default_device(user) == example_device
    response = verified.post(DEFAULT, {"device": second_device.persistent_id}, follow=True)
    assert "Example codes (Work laptop) will be asked for first" in " ".join(messages_of(response))
    assert default_device(user) == second_device
    html = verified.get(PROFILE).content.decode()
    [first] = [item for item in html.split('<li class="tf-item">') if "Asked first" in item]
    assert "Work laptop" in first
    client.logout()
    flow = make_flow(client)
    response = flow.password()
    assert response.context["device"] == second_device
    # The other device is offered under its label.
    assert "Use Example codes (Phone app)" in response.content.decode()


def test_make_default_is_post_only_and_for_own_devices(
    verified, other_user, example_device, second_device
):
    from otp_example.models import ExampleDevice

    assert verified.get(DEFAULT, {"device": second_device.persistent_id}).status_code == 405
    foreign = ExampleDevice.objects.create(user=other_user, name="Bob's", key="55" * 20)
    assert verified.post(DEFAULT, {"device": foreign.persistent_id}).status_code == 404
    assert verified.post(DEFAULT, {"device": "nonsense"}).status_code == 404
    assert verified.post(DEFAULT, {}).status_code == 404


def test_a_removed_default_falls_back_to_registry_order(user, example_device, second_device):
    from otp_core.removal import remove_device

    set_default_device(user, second_device)
    assert first_devices(user) == [second_device, example_device]
    remove_device(second_device)
    assert default_device(user) == example_device
    from two_factor_ui.models import PreferredDevice

    assert not PreferredDevice.objects.filter(user=user).exists()


def test_remove_asks_first_then_removes_and_announces(
    verified, example_device, second_device, removed_signals
):
    from otp_example.models import ExampleDevice

    response = verified.get(REMOVE, {"device": second_device.persistent_id})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove <strong>Example codes (Work laptop)</strong> from your account?" in html
    assert ExampleDevice.objects.filter(pk=second_device.pk).exists()  # GET changes nothing
    response = verified.post(REMOVE, {"device": second_device.persistent_id}, follow=True)
    assert "Removed: Example codes (Work laptop)." in messages_of(response)
    assert not ExampleDevice.objects.filter(pk=second_device.pk).exists()
    assert removed_signals == [(type(second_device), "Work laptop")]


def test_the_method_this_session_used_cannot_be_removed(
    verified, example_device, second_device, removed_signals
):
    response = verified.post(REMOVE, {"device": example_device.persistent_id}, follow=True)
    assert "cannot be removed now" in " ".join(messages_of(response))
    example_device.refresh_from_db()
    assert removed_signals == []


def test_managing_needs_a_verified_session(client, user, example_device, second_device):
    client.force_login(user)  # password only
    for url in (REMOVE, RENAME, DEFAULT):
        response = client.post(url, {"device": second_device.persistent_id, "name": "x"})
        assert response.status_code == 302  # to verify the session first
        assert response["Location"] != PROFILE
    second_device.refresh_from_db()
    assert second_device.name == "Work laptop"


def test_rename(verified, example_device, second_device):
    response = verified.get(RENAME, {"device": second_device.persistent_id})
    assert response.status_code == 200
    assert 'value="Work laptop"' in response.content.decode()
    response = verified.post(RENAME, {"device": second_device.persistent_id, "name": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    response = verified.post(
        RENAME, {"device": second_device.persistent_id, "name": "  Home desktop "}, follow=True
    )
    assert "Renamed: Example codes (Home desktop)." in messages_of(response)
    second_device.refresh_from_db()
    assert second_device.name == "Home desktop"
    too_long = verified.post(RENAME, {"device": second_device.persistent_id, "name": "x" * 65})
    assert too_long.status_code == 400
    # "backup" and "default" mean something (a backup phone is never asked first).
    for reserved in ("backup", " Default "):
        refused = verified.post(RENAME, {"device": second_device.persistent_id, "name": reserved})
        assert refused.status_code == 400
        assert "Please choose another name." in refused.content.decode()
    second_device.refresh_from_db()
    assert second_device.name == "Home desktop"


def test_a_device_added_as_backup_is_never_first_and_keeps_its_name(
    verified, user, example_device, second_device
):
    second_device.name = "backup"
    second_device.save()
    assert first_devices(user) == [example_device, second_device]
    with pytest.raises(ValueError, match="primary devices"):
        set_default_device(user, second_device)
    assert verified.post(DEFAULT, {"device": second_device.persistent_id}).status_code == 404
    assert verified.get(RENAME, {"device": second_device.persistent_id}).status_code == 404
    # Its label never shows the legacy name.
    html = verified.get(PROFILE).content.decode()
    assert "(backup)" not in html


def test_a_backup_device_comes_after_even_an_older_device(user, second_device, example_device):
    example_device.name = "backup"  # the older device was added as a backup
    example_device.save()
    assert default_device(user) == second_device


def test_disabling_says_so_on_the_page_it_lands_on(verified, example_device):
    response = verified.post(reverse("two_factor:disable"), {"understand": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == PROFILE
    html = response.content.decode()
    assert "Two-factor authentication is off." in html
    assert 'role="status"' in html

"""The setup wizard and QR code, driven by the registry (the example plugin)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from otp_core import oath
from otp_core.session import stored_verifications

pytestmark = pytest.mark.django_db

SETUP = "two_factor:setup"
PREFIX = "setup_view"


def post(client, step, fields=None, **extra):
    data = {f"{PREFIX}-current_step": step}
    data.update({f"{step}-{k}": v for k, v in (fields or {}).items()})
    data.update(extra)
    return client.post(reverse(SETUP), data)


def pending_key(client):
    return client.session[f"wizard_{PREFIX}"]["extra_data"]["state"]["example_key"]


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_setup_needs_login(client):
    response = client.get(reverse(SETUP))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:login"))


def test_registry_plugin_is_offered_and_set_up(signed_in, user):
    from otp_example.models import ExampleDevice

    response = signed_in.get(reverse(SETUP))
    assert response.status_code == 200
    assert "Enable two-factor authentication" in response.content.decode()
    response = post(signed_in, "welcome")
    html = response.content.decode()
    # The example plugin is the only method with setup forms in isolation, so
    # its own step follows; with more plugins the method choice lists it.
    if 'name="method-method"' in html:
        assert 'value="example"' in html
        assert "Example codes" in html
        response = post(signed_in, "method", {"method": "example"})
        html = response.content.decode()
    assert 'name="example-0-token"' in html
    key = pending_key(signed_in)
    # secret_key from the step's get_context() is in the page context.
    assert response.context["secret_key"] == key
    assert key not in response.context.get("state", "")
    code = oath.format_token(oath.hotp(bytes.fromhex(key), 0))
    response = post(signed_in, "example-0", {"token": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor:setup_complete")
    device = ExampleDevice.objects.get(user=user)
    assert device.confirmed
    # The new device verified this session: the user is not locked out.
    [verification] = [v for v in stored_verifications(signed_in.session) if v.amr != "pwd"]
    assert verification.device_id == device.persistent_id
    assert (
        "Two-factor authentication enabled" in signed_in.get(response["Location"]).content.decode()
    )


def _reach_example_step(client):
    client.get(reverse(SETUP))
    response = post(client, "welcome")
    if 'name="method-method"' in response.content.decode():
        response = post(client, "method", {"method": "example"})
    return response


def test_wrong_setup_code_is_refused(signed_in, user):
    from otp_example.models import ExampleDevice

    _reach_example_step(signed_in)
    response = post(signed_in, "example-0", {"token": "not-a-code"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ExampleDevice.objects.filter(user=user).exists()


def test_method_list_is_built_from_registry(monkeypatch):
    from dataclasses import replace

    from otp_core import plugins
    from two_factor_ui.forms import MethodForm

    real = plugins.installed()
    extra = replace(real["example"], name="another", label="Another method", order=5)
    hidden = replace(real["example"], name="codes", label="Codes", backup=True)
    monkeypatch.setattr(plugins, "installed", lambda: {**real, "another": extra, "codes": hidden})
    form = MethodForm()
    names = [value for value, _ in form.fields["method"].choices]
    assert "example" in names
    assert "another" in names
    assert "codes" not in names  # backup plugins are not primary methods


def test_qr_code_404_without_pending_setup(signed_in):
    assert signed_in.get(reverse("two_factor:qr")).status_code == 404


def test_qr_code_needs_login(client):
    assert client.get(reverse("two_factor:qr")).status_code == 302


def test_user_with_device_must_be_verified_to_add_another(client, user, example_device):
    client.force_login(user)
    response = client.get(reverse(SETUP))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:login"))


def test_pending_secret_is_not_dumped_into_the_page(signed_in):
    # formtools would copy its storage into the context; the wizard does not,
    # so a template shows only what the step chose to show.
    response = _reach_example_step(signed_in)
    assert pending_key(signed_in) not in response.content.decode()
    assert "done_steps" not in response.context

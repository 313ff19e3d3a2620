"""Profile, disable, backup page without a plugin, logout, and the demo link."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(client, user, example_device, login_flow, code_for):
    login_flow.password()
    assert login_flow.token(code_for(example_device)).status_code == 302
    return client


def test_profile_needs_login(client):
    response = client.get(reverse("two_factor:profile"))
    assert response.status_code == 302


def test_profile_without_device_offers_setup(client, user):
    client.force_login(user)
    html = client.get(reverse("two_factor:profile")).content.decode()
    assert "not enabled" in html
    assert reverse("two_factor:setup") in html


def test_profile_lists_devices_by_plugin(verified, example_device):
    html = verified.get(reverse("two_factor:profile")).content.decode()
    assert "Example codes" in html  # the plugin's label
    assert example_device.name in html
    assert reverse("two_factor:disable") in html


def test_profile_shows_plugin_links(verified, monkeypatch):
    from dataclasses import replace

    from otp_core import plugins

    real = plugins.installed()
    linked = replace(
        real["example"], options={"profile_links": [("Add a backup phone", "/phone/add/")]}
    )
    monkeypatch.setattr(plugins, "installed", lambda: {**real, "example": linked})
    html = verified.get(reverse("two_factor:profile")).content.decode()
    assert '<a href="/phone/add/?next=%2Faccount%2Ftwo_factor%2F">Add a backup phone</a>' in html


def test_profile_shows_links_of_a_plugin_without_devices(verified, monkeypatch):
    from dataclasses import replace

    from otp_core import plugins

    real = plugins.installed()
    other = replace(
        real["example"],
        name="other",
        label="Other method",
        device_models=(),
        options={"profile_links": [("Add one", "/other/add/"), ("Broken", "no:such-name")]},
    )
    monkeypatch.setattr(plugins, "installed", lambda: {**real, "other": other})
    html = verified.get(reverse("two_factor:profile")).content.decode()
    assert "<h3>Other method</h3>" in html
    assert '<a href="/other/add/?next=%2Faccount%2Ftwo_factor%2F">Add one</a>' in html
    assert "Broken" not in html


def test_profile_has_no_section_for_a_plugin_without_links(verified, monkeypatch):
    from dataclasses import replace

    from otp_core import plugins

    real = plugins.installed()
    other = replace(real["example"], name="other", label="Other method", device_models=())
    monkeypatch.setattr(plugins, "installed", lambda: {**real, "other": other})
    html = verified.get(reverse("two_factor:profile")).content.decode()
    assert "Other method" not in html


def test_disable_needs_verified_session(client, user, example_device):
    client.force_login(user)
    response = client.post(reverse("two_factor:disable"), {"understand": "on"})
    assert response.status_code == 302
    # Signed in, not verified: the step-up page asks for the second factor.
    assert response["Location"].startswith(reverse("two_factor:step_up"))
    from otp_example.models import ExampleDevice

    assert ExampleDevice.objects.filter(pk=example_device.pk).exists()


def test_disable_get_shows_form_and_deletes_nothing(verified, example_device):
    from otp_example.models import ExampleDevice

    response = verified.get(reverse("two_factor:disable"))
    assert response.status_code == 200
    assert 'name="understand"' in response.content.decode()
    assert ExampleDevice.objects.filter(pk=example_device.pk).exists()


def test_disable_needs_confirmation(verified, example_device):
    from otp_example.models import ExampleDevice

    response = verified.post(reverse("two_factor:disable"), {})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert ExampleDevice.objects.filter(pk=example_device.pk).exists()


def test_disable_removes_all_devices(verified, user, example_device):
    from otp_example.models import ExampleChallengeDevice, ExampleDevice

    ExampleChallengeDevice.objects.create(user=user, name="sms", confirmed=False)
    response = verified.post(reverse("two_factor:disable"), {"understand": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor:profile")
    assert not ExampleDevice.objects.filter(user=user).exists()
    assert not ExampleChallengeDevice.objects.filter(user=user).exists()


def test_backup_page_404_without_backup_plugin(verified, monkeypatch):
    from otp_core import plugins

    real = plugins.installed()
    monkeypatch.setattr(
        plugins, "installed", lambda: {k: v for k, v in real.items() if not v.backup}
    )
    assert verified.get(reverse("two_factor:backup_tokens")).status_code == 404


def test_logout_is_post_and_redirects(verified):
    assert verified.get(reverse("two_factor:logout")).status_code == 405
    response = verified.post(reverse("two_factor:logout"))
    assert response.status_code == 302
    assert response["Location"] == "/"  # LOGOUT_REDIRECT_URL = "home"
    assert SESSION_KEY not in verified.session


def test_logout_refuses_foreign_next(verified):
    response = verified.post(reverse("two_factor:logout"), {"next": "http://evil.example/"})
    assert response["Location"] == "/"


def test_demo_links_to_setup(client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    assert reverse("two_factor:setup") in html
    assert "Set up two-factor" in html


def test_url_names_and_paths():
    assert reverse("two_factor:login") == "/account/login/"
    assert reverse("two_factor:setup") == "/account/two_factor/setup/"
    assert reverse("two_factor:setup_complete") == "/account/two_factor/setup/complete/"
    assert reverse("two_factor:backup_tokens") == "/account/two_factor/backup/tokens/"
    assert reverse("two_factor:profile") == "/account/two_factor/"
    assert reverse("two_factor:disable") == "/account/two_factor/disable/"
    assert reverse("two_factor:qr") == "/account/two_factor/qrcode/"
    assert reverse("two_factor:logout") == "/account/logout/"
    # The demo's own single-form login stays where other packages' tests expect it.
    assert reverse("login") == "/login/"


def test_pages_with_secrets_or_one_click_changes_refuse_frames(verified, settings):
    # Not left to the project's middleware: a site without
    # XFrameOptionsMiddleware must not let these pages be framed (clickjacking).
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m != "django.middleware.clickjacking.XFrameOptionsMiddleware"
    ]
    for name in ("setup", "disable"):
        response = verified.get(reverse(f"two_factor:{name}"))
        assert response.status_code == 200, name
        assert response["X-Frame-Options"] == "DENY", name
        assert "no-store" in response["Cache-Control"], name

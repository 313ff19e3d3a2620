"""The demo site (test_project): readable home page, and no loop on an unmet policy.

With ``OTP_STEP_UP_URL = "needs"`` (what ``tools/demo.py`` turns on), a
signed-in user who misses a page's policy gets a page saying what it needs
and how to get it with what is installed, not the password form again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from otp_example.models import HardwareExampleDevice

from otp_core.session import record_verification
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

TEST_PROJECT = Path(__file__).resolve().parents[4] / "test_project"


def test_home_is_readable_on_a_phone_and_names_what_each_page_gives(client):
    text = client.get("/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert ">A page that needs two-factor</a>" in text
    assert ">A page that needs a hardware security key used in the last 5 minutes</a>" in text
    # Decorator names are explained next to the links, never the link text.
    assert ">otp_required</a>" not in text
    assert "min-height: 44px" in text


def _verified(client, user, device):
    client.force_login(user)
    session = client.session
    record_verification(session, device)
    session.save()


@override_settings(OTP_STEP_UP_URL="needs")
def test_step_up_without_a_hardware_key_explains_instead_of_looping(client, user):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", key="00" * 20)
    _verified(client, user, device)
    response = client.get("/protected/step-up/")
    assert response.status_code == 302
    assert response["Location"] == "/protected/needs/?next=/protected/step-up/"
    page = client.get(response["Location"])
    assert page.status_code == 403
    text = page.content.decode()
    assert "a hardware security key, used in the last 5 minutes" in text
    verified = re.search(r"This session has verified: ([a-z, ]+)\.", text).group(1)
    assert "otp" in verified.split(", ")
    assert "hwk" not in verified
    assert "Add a security key" in text
    assert "localhost" in text


@override_settings(OTP_STEP_UP_URL="needs")
def test_step_up_with_a_hardware_key_says_to_sign_in_with_it(client, user):
    app = TOTPDevice.objects.create(user=user, name="Authenticator app", key="00" * 20)
    HardwareExampleDevice.objects.create(user=user, name="Blue key", key="11" * 20)
    _verified(client, user, app)
    text = client.get("/protected/needs/?next=/protected/step-up/").content.decode()
    assert "Sign in with your security key" in text
    assert "Blue key" in text
    assert "?next=/protected/step-up/" in text or "?next=%2Fprotected%2Fstep-up%2F" in text


@override_settings(OTP_STEP_UP_URL="needs")
def test_a_hardware_key_verification_opens_the_step_up_page(client, user):
    key = HardwareExampleDevice.objects.create(user=user, name="Blue key", key="11" * 20)
    _verified(client, user, key)
    assert client.get("/protected/step-up/").status_code == 200


@override_settings(OTP_STEP_UP_URL="needs")
def test_recent_page_offers_to_verify_again(client, user):
    text = client.get("/protected/needs/?next=/protected/recent/", follow=True)
    assert text.status_code == 200  # anonymous: to the sign-in page first
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", key="00" * 20)
    _verified(client, user, device)
    page = client.get("/protected/needs/?next=/protected/recent/").content.decode()
    assert "a second factor verified in the last minute" in page
    assert 'href="/verify/?next=%2Fprotected%2Frecent%2F"' in page


@override_settings(OTP_STEP_UP_URL="needs")
def test_no_device_is_told_to_set_one_up(client, user):
    client.force_login(user)
    response = client.get("/protected/decorator/")
    page = client.get(response["Location"]).content.decode()
    assert "Your account has no second factor yet" in page
    assert "Set up two-factor" in page


def test_next_to_another_site_is_dropped(client, user):
    client.force_login(user)
    page = client.get("/protected/needs/?next=https://evil.example/").content.decode()
    assert "evil.example" not in page


def test_demo_settings_turn_on_what_a_site_would():
    code = (
        "import test_project.settings as s; "
        "print(s.TWO_FACTOR_REMEMBER_COOKIE_AGE, s.OTP_TOTP_ISSUER, "
        "getattr(s, 'OTP_STEP_UP_URL', 'step-up-page'))"
    )
    env = {**os.environ, "OTP_DEMO": "1", "PYTHONPATH": str(TEST_PROJECT)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.split(None, 1)[0] == str(30 * 24 * 60 * 60)
    # With two-factor-ui installed its step-up page is used; the "needs" page
    # stands in only without it.
    assert "2FA demo step-up-page" in out

"""The whole flow through the test project's /login/ with an e-mail device."""

from __future__ import annotations

import pytest
from django.core import mail

from otp_email.models import EmailDevice

pytestmark = pytest.mark.django_db

CREDENTIALS = {"username": "alice", "password": "correct horse"}


def test_send_code_then_sign_in_then_protected_page(client, email_device, code_in):
    form = {**CREDENTIALS, "otp_device": email_device.persistent_id}
    response = client.post("/login/", {**form, "otp_challenge": "1"})
    assert response.status_code == 200
    assert "We sent a code to a***@example.com." in response.content.decode()
    code = code_in(mail.outbox[0].body)

    assert client.get("/protected/decorator/").status_code == 302
    response = client.post("/login/", {**form, "otp_token": code})
    assert response.status_code == 302
    response = client.get("/protected/decorator/")
    assert response.status_code == 200
    assert client.session["otp_verifications"][-1]["k"] == "email"


def test_delivery_failure_on_login_is_a_form_error(client, email_device, refused_smtp):
    form = {**CREDENTIALS, "otp_device": email_device.persistent_id, "otp_challenge": "1"}
    response = client.post("/login/", form)
    assert response.status_code == 200
    assert "The code could not be sent" in response.content.decode()
    email_device.refresh_from_db()
    assert EmailDevice.objects.filter(pk=email_device.pk, confirmed=True).exists()
    assert email_device.token_hash == ""


def test_second_request_within_cooldown_says_wait(client, email_device):
    form = {**CREDENTIALS, "otp_device": email_device.persistent_id, "otp_challenge": "1"}
    client.post("/login/", form)
    response = client.post("/login/", form)
    assert response.status_code == 200
    assert "A code was sent a moment ago" in response.content.decode()
    assert len(mail.outbox) == 1

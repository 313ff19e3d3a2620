"""The whole flow through the test project's /login/ with phone devices."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("fixture", "kind"), [("sms_device", "sms"), ("call_device", "tel")])
def test_send_code_sign_in_protected_page(client, request, fixture, kind, fake_gateway, fake_codes):
    device = request.getfixturevalue(fixture)
    form = {"username": "alice", "password": "correct horse", "otp_device": device.persistent_id}
    response = client.post("/login/", {**form, "otp_challenge": "1"})
    assert response.status_code == 200
    assert "+31 * ******" in response.content.decode()
    code = fake_codes()[0][2]
    assert client.post("/login/", {**form, "otp_token": code}).status_code == 302
    assert client.get("/protected/decorator/").status_code == 200
    assert client.session["otp_verifications"][-1]["k"] == kind

"""The Twilio gateway with the real twilio client against a local API server."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlparse
from xml.etree import ElementTree

import pytest
from django.core import signing

from otp_phone import GatewayError
from otp_phone.callsigning import SALT
from otp_phone.gateways.twilio import Twilio
from otp_phone.models import PhoneDevice

from .conftest import ACCOUNT_SID, CALLER_ID, REFUSED_NUMBER

pytestmark = pytest.mark.django_db

MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
CALLS = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"


def sms_code(api) -> str:
    [request] = [r for r in api.requests if r["path"] == MESSAGES]
    return re.search(r"(\d{6})$", request["form"]["Body"]).group(1)


def test_sms_is_posted_with_credentials_and_parameters(sms_device, twilio_api):
    challenge = sms_device.generate_challenge()
    assert "text message" in str(challenge)
    [request] = twilio_api.requests
    assert request["path"] == MESSAGES
    assert request["form"]["To"] == "+31612345678"
    assert request["form"]["From"] == CALLER_ID
    assert "MessagingServiceSid" not in request["form"]
    assert request["form"]["Body"].startswith("Your verification code is: ")
    assert sms_device.verify_token(sms_code(twilio_api))


def test_messaging_service_replaces_the_caller_id(sms_device, twilio_api, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "a" * 32
    sms_device.generate_challenge()
    form = twilio_api.requests[0]["form"]
    assert form["MessagingServiceSid"] == "MG" + "a" * 32
    assert "From" not in form


def _twiml_path(api) -> str:
    [request] = [r for r in api.requests if r["path"] == CALLS]
    url = urlparse(request["form"]["Url"])
    assert url.scheme == "http"
    assert url.netloc == "testserver"
    return url.path


def test_call_fetches_twiml_that_speaks_the_code(client, call_device, twilio_api, rf):
    request = rf.post("/login/")
    call_device.generate_challenge(request)
    [call] = twilio_api.requests
    assert call["form"]["To"] == "+31612345658"
    assert call["form"]["From"] == CALLER_ID
    path = _twiml_path(twilio_api)

    response = client.post(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Response"
    [say] = list(root)
    assert say.tag == "Say"
    spoken = re.findall(r"\d", say.text)
    code = "".join(spoken[: len(spoken) // 2])
    assert spoken == list(code) * 2
    assert len(code) == 6
    # The code is not readable from the URL.
    assert code not in path
    assert call_device.verify_token(code)
    # Once used, the URL says nothing more.
    assert client.post(path).status_code == 403


def test_tampered_call_token_is_refused(client, call_device, twilio_api, rf):
    call_device.generate_challenge(rf.post("/login/"))
    path = _twiml_path(twilio_api)
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.post(path.replace(token, tampered)).status_code == 403
    assert client.get("/twilio/call/garbage/").status_code == 403


def test_expired_call_token_is_refused(client, call_device, twilio_api, rf):
    call_device.generate_challenge(rf.post("/login/"))
    path = _twiml_path(twilio_api)
    token = path.rstrip("/").rsplit("/", 1)[1]
    value, _, _ = token.rpartition(":")  # the encrypted payload without its timestamp

    class OldSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(__import__("time").time()) - 121)

    old = OldSigner(salt=SALT).sign(value)
    assert client.post(f"/twilio/call/{old}/").status_code == 403
    # The same payload signed now is accepted: it is the age that was refused.
    fresh = signing.TimestampSigner(salt=SALT).sign(value)
    assert client.post(f"/twilio/call/{fresh}/").status_code == 200


def test_callback_base_url_without_request(call_device, twilio_api, settings):
    settings.OTP_PHONE_CALLBACK_BASE_URL = "https://otp.example.com/"
    call_device.generate_challenge()
    url = twilio_api.requests[0]["form"]["Url"]
    assert url.startswith("https://otp.example.com/twilio/call/")


def test_call_without_request_or_base_url_fails_cleanly(call_device, twilio_api):
    with pytest.raises(GatewayError):
        call_device.generate_challenge()
    assert twilio_api.requests == []
    call_device.refresh_from_db()
    assert call_device.token_hash == ""


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("credentials", "HTTP 401, code 20003"),
        ("error500", "HTTP 500"),
        ("refused_number", "HTTP 400, code 21211"),
        ("timeout", "could not be reached"),
    ],
)
def test_failures_are_gateway_errors_with_safe_logs(
    case, expected, user, twilio_api, settings, caplog
):
    number = REFUSED_NUMBER if case == "refused_number" else "+31612345678"
    device = PhoneDevice.objects.create(user=user, name="default", number=number)
    if case == "credentials":
        settings.TWILIO_AUTH_TOKEN = "wrong-token"
    elif case == "timeout":
        settings.TWILIO_TIMEOUT = 0.3
        twilio_api.mode = "slow"
        twilio_api.delay = 1.5
    else:
        twilio_api.mode = case if case == "error500" else "ok"
    with caplog.at_level(logging.DEBUG), pytest.raises(GatewayError) as info:
        device.generate_challenge()
    assert expected in str(info.value)
    assert "wrong-token" not in str(info.value)
    assert f"phone device {device.persistent_id} failed" in caplog.text
    body = twilio_api.requests[0]["form"]["Body"]
    code = re.search(r"(\d{6})$", body).group(1)
    assert code not in caplog.text
    assert code not in str(info.value)
    device.refresh_from_db()
    assert device.token_hash == ""
    assert device.last_generated_at is None


def test_login_shows_a_form_error_when_twilio_fails(client, sms_device, twilio_api, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong-token"
    response = client.post(
        "/login/",
        {
            "username": "alice",
            "password": "correct horse",
            "otp_device": sms_device.persistent_id,
            "otp_challenge": "1",
        },
    )
    assert response.status_code == 200
    assert "The code could not be sent" in response.content.decode()
    assert PhoneDevice.objects.filter(pk=sms_device.pk, confirmed=True).exists()


def test_missing_credentials_is_a_gateway_error(sms_device, twilio_api, settings):
    settings.TWILIO_ACCOUNT_SID = None
    with pytest.raises(GatewayError, match="TWILIO_ACCOUNT_SID"):
        Twilio().send_sms(sms_device, "123456")
    assert twilio_api.requests == []

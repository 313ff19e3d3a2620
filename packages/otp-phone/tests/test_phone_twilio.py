"""The Twilio gateway with the real twilio client against a local API server."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode, urlparse
from xml.etree import ElementTree

import pytest
from django.core import signing
from twilio.request_validator import RequestValidator

from otp_phone import GatewayError, checks
from otp_phone.callsigning import SALT
from otp_phone.gateways.twilio import Twilio
from otp_phone.models import PhoneDevice

from .conftest import ACCOUNT_SID, AUTH_TOKEN, CALLER_ID, REFUSED_NUMBER

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


#: Form parameters Twilio posts when it fetches a call's TwiML.
CALL_PARAMS = {
    "AccountSid": ACCOUNT_SID,
    "ApiVersion": "2010-04-01",
    "CallSid": "CA" + "f" * 32,
    "CallStatus": "in-progress",
    "Called": "+31612345658",
    "Caller": CALLER_ID,
    "Direction": "outbound-api",
    "From": CALLER_ID,
    "To": "+31612345658",
}


def _twiml_url(api) -> str:
    [request] = [r for r in api.requests if r["path"] == CALLS]
    return request["form"]["Url"]


def _twiml_path(api) -> str:
    url = urlparse(_twiml_url(api))
    assert url.scheme == "http"
    assert url.netloc == "testserver"
    return url.path


def twilio_fetch(client, url, *, method="post", signed_url=None, auth_token=AUTH_TOKEN):
    """Fetch TwiML as Twilio does: with its call parameters, signed with the auth token.

    POST signs the URL and the form parameters; GET carries them in the query
    string and signs the whole URL. ``signed_url`` signs another URL instead.
    """
    validator = RequestValidator(auth_token)
    path = urlparse(url).path
    if method == "post":
        signature = validator.compute_signature(signed_url or url, CALL_PARAMS)
        return client.post(path, CALL_PARAMS, HTTP_X_TWILIO_SIGNATURE=signature)
    query = urlencode(CALL_PARAMS)
    signature = validator.compute_signature(f"{signed_url or url}?{query}", {})
    return client.get(f"{path}?{query}", HTTP_X_TWILIO_SIGNATURE=signature)


def spoken_code(response) -> str:
    root = ElementTree.fromstring(response.content)
    [say] = list(root)
    spoken = re.findall(r"\d", say.text)
    return "".join(spoken[: len(spoken) // 2])


def test_call_fetches_twiml_that_speaks_the_code(client, call_device, twilio_api, rf):
    request = rf.post("/login/")
    call_device.generate_challenge(request)
    [call] = twilio_api.requests
    assert call["form"]["To"] == "+31612345658"
    assert call["form"]["From"] == CALLER_ID
    # Twilio is told to POST, which the view's signature check expects.
    assert call["form"]["Method"] == "POST"
    path = _twiml_path(twilio_api)
    url = _twiml_url(twilio_api)

    response = twilio_fetch(client, url)
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
    # Once used, the URL says nothing more, even to Twilio.
    assert twilio_fetch(client, url).status_code == 403


def test_twiml_by_get_signs_the_url_with_its_query_string(client, call_device, twilio_api, rf):
    call_device.generate_challenge(rf.post("/login/"))
    url = _twiml_url(twilio_api)
    response = twilio_fetch(client, url, method="get")
    assert response.status_code == 200
    assert call_device.verify_token(spoken_code(response))


def test_unsigned_twiml_request_is_refused_and_logged_safely(
    client, call_device, twilio_api, rf, caplog
):
    call_device.generate_challenge(rf.post("/login/"))
    path = _twiml_path(twilio_api)
    token = path.rstrip("/").rsplit("/", 1)[1]
    with caplog.at_level(logging.DEBUG, logger="otp_phone"):
        assert client.post(path, CALL_PARAMS).status_code == 403
        assert client.get(path).status_code == 403
    refusals = [r for r in caplog.records if r.name == "otp_phone"]
    assert [r.levelno for r in refusals] == [logging.WARNING, logging.WARNING]
    assert all("no X-Twilio-Signature header" in r.getMessage() for r in refusals)
    # The refusals were the signature's: Twilio's own request still works.
    response = twilio_fetch(client, _twiml_url(twilio_api))
    assert response.status_code == 200
    code = spoken_code(response)
    for record in refusals:
        assert token not in record.getMessage()
        assert path not in record.getMessage()
        assert code not in record.getMessage()


@pytest.mark.parametrize(
    "forgery",
    ["other_host", "other_path", "other_token", "other_params", "garbage"],
)
def test_wrong_signature_is_refused(forgery, client, call_device, twilio_api, rf, caplog):
    call_device.generate_challenge(rf.post("/login/"))
    url = _twiml_url(twilio_api)
    path = _twiml_path(twilio_api)
    token = path.rstrip("/").rsplit("/", 1)[1]
    with caplog.at_level(logging.WARNING, logger="otp_phone"):
        if forgery == "other_host":
            response = twilio_fetch(client, url, signed_url=url.replace("testserver", "evil.test"))
        elif forgery == "other_path":
            response = twilio_fetch(client, url, signed_url="http://testserver/twilio/call/x/")
        elif forgery == "other_token":
            response = twilio_fetch(client, url, auth_token="not-the-auth-token")
        elif forgery == "other_params":
            signature = RequestValidator(AUTH_TOKEN).compute_signature(url, CALL_PARAMS)
            forged = {**CALL_PARAMS, "To": "+31600000000"}
            response = client.post(path, forged, HTTP_X_TWILIO_SIGNATURE=signature)
        else:
            response = client.post(path, CALL_PARAMS, HTTP_X_TWILIO_SIGNATURE="x" * 28)
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "otp_phone"]
    assert record.levelno == logging.WARNING
    assert "a wrong X-Twilio-Signature" in record.getMessage()
    assert token not in record.getMessage()
    # The code is still pending and untold: the right signature gets it.
    response = twilio_fetch(client, url)
    assert response.status_code == 200
    assert spoken_code(response) not in caplog.text


def test_unparsable_host_port_is_a_403_not_a_500(client, call_device, twilio_api, rf, settings):
    settings.ALLOWED_HOSTS = ["*"]
    call_device.generate_challenge(rf.post("/login/"))
    url = _twiml_url(twilio_api).replace("testserver", "testserver:99999")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, CALL_PARAMS)
    response = client.post(
        urlparse(url).path,
        CALL_PARAMS,
        HTTP_HOST="testserver:99999",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert response.status_code == 403


def test_signature_covers_the_callback_base_url(client, call_device, twilio_api, rf, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.OTP_PHONE_CALLBACK_BASE_URL = "https://otp.example.com/"
    call_device.generate_challenge(rf.post("/login/"))
    url = _twiml_url(twilio_api)
    assert url.startswith("https://otp.example.com/twilio/call/")
    # A proxy hands the request on as plain http to another host name: the
    # URL Twilio signed is still the one built from the setting.
    local = url.replace("https://otp.example.com", "http://testserver")
    assert twilio_fetch(client, local, signed_url=local).status_code == 403
    assert twilio_fetch(client, local, signed_url=url).status_code == 200


@pytest.mark.parametrize("switch", ["setting_off", "no_auth_token"])
def test_unsigned_twiml_without_validation(switch, client, call_device, twilio_api, rf, settings):
    call_device.generate_challenge(rf.post("/login/"))
    path = _twiml_path(twilio_api)
    if switch == "setting_off":
        settings.OTP_PHONE_VALIDATE_TWILIO_SIGNATURE = False
        assert "otp_phone.W003" in [m.id for m in checks.check_gateways()]
    else:
        settings.TWILIO_AUTH_TOKEN = None
    response = client.post(path)
    assert response.status_code == 200
    assert call_device.verify_token(spoken_code(response))


def test_tampered_call_token_is_refused(client, call_device, twilio_api, rf):
    call_device.generate_challenge(rf.post("/login/"))
    url = _twiml_url(twilio_api)
    path = _twiml_path(twilio_api)
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    # Correctly signed by "Twilio": it is the token that is refused.
    assert twilio_fetch(client, url.replace(token, tampered)).status_code == 403
    assert twilio_fetch(client, "http://testserver/twilio/call/garbage/").status_code == 403
    assert twilio_fetch(client, url).status_code == 200


def test_expired_call_token_is_refused(client, call_device, twilio_api, rf):
    call_device.generate_challenge(rf.post("/login/"))
    path = _twiml_path(twilio_api)
    token = path.rstrip("/").rsplit("/", 1)[1]
    value, _, _ = token.rpartition(":")  # the encrypted payload without its timestamp

    class OldSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(__import__("time").time()) - 121)

    old = OldSigner(salt=SALT).sign(value)
    assert twilio_fetch(client, f"http://testserver/twilio/call/{old}/").status_code == 403
    # The same payload signed now is accepted: it is the age that was refused.
    fresh = signing.TimestampSigner(salt=SALT).sign(value)
    assert twilio_fetch(client, f"http://testserver/twilio/call/{fresh}/").status_code == 200


def test_callback_base_url_without_request(call_device, twilio_api, settings):
    settings.OTP_PHONE_CALLBACK_BASE_URL = "https://otp.example.com/"
    call_device.generate_challenge()
    url = twilio_api.requests[0]["form"]["Url"]
    assert url.startswith("https://otp.example.com/twilio/call/")


def test_callback_base_url_wins_over_the_request_host(call_device, twilio_api, rf, settings):
    # The Host header is the client's choice (any host with a wildcard in
    # ALLOWED_HOSTS): it must not decide where Twilio fetches the code.
    settings.ALLOWED_HOSTS = ["*"]
    settings.OTP_PHONE_CALLBACK_BASE_URL = "https://otp.example.com/"
    call_device.generate_challenge(rf.post("/login/", HTTP_HOST="attacker.example"))
    url = twilio_api.requests[0]["form"]["Url"]
    assert url.startswith("https://otp.example.com/twilio/call/")


@pytest.mark.parametrize("host", [None, "testserver", "attacker.example"])
def test_call_url_is_never_built_from_the_request(host, call_device, twilio_api, rf, settings):
    # Issue 8: with no OTP_PHONE_CALLBACK_BASE_URL there is no fallback to
    # the request's Host header (which the client chooses): no call at all.
    settings.ALLOWED_HOSTS = ["*"]
    settings.OTP_PHONE_CALLBACK_BASE_URL = None
    request = rf.post("/login/", HTTP_HOST=host) if host else None
    with pytest.raises(GatewayError):
        call_device.generate_challenge(request)
    assert twilio_api.requests == []
    call_device.refresh_from_db()
    assert call_device.token_hash == ""


def test_twiml_without_base_url_is_a_403_not_a_500(client, call_device, twilio_api, rf, settings):
    call_device.generate_challenge(rf.post("/login/"))
    url = _twiml_url(twilio_api)
    settings.OTP_PHONE_CALLBACK_BASE_URL = None
    assert twilio_fetch(client, url).status_code == 403


def test_call_url_is_single_use(client, call_device, twilio_api, rf):
    # Issue 8: whoever fetches the TwiML a second time (a replay of a logged
    # or leaked URL) hears nothing, although the code is still pending.
    call_device.generate_challenge(rf.post("/login/"))
    url = _twiml_url(twilio_api)
    response = twilio_fetch(client, url)
    assert response.status_code == 200
    code = spoken_code(response)
    assert twilio_fetch(client, url).status_code == 403
    assert twilio_fetch(client, url, method="get").status_code == 403
    # The code itself still works once.
    assert call_device.verify_token(code)


def test_a_new_call_makes_the_previous_url_useless(client, call_device, twilio_api, rf):
    call_device.generate_challenge(rf.post("/login/"))
    first = _twiml_url(twilio_api)
    call_device.token_hash = ""  # the first code was used; no cooldown holds
    call_device.save(update_fields=["token_hash"])
    call_device.generate_challenge(rf.post("/login/"))
    second = twilio_api.requests[-1]["form"]["Url"]
    assert twilio_fetch(client, first).status_code == 403
    assert twilio_fetch(client, second).status_code == 200


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

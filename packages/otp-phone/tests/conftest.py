"""Fixtures of otp-phone's tests: devices, gateways, and a local Twilio API server."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from otp_phone.models import PhoneDevice

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
CALLER_ID = "+15005550006"
#: A number the fake API refuses the way Twilio does (error 21211).
REFUSED_NUMBER = "+31201234567"

FAKE_LOG_RE = re.compile(r'Fake (SMS|call) to (\+\d+): "Your token is: (\d+)"')


class TwilioAPI:
    """What the local server knows: requests received and how to answer."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.mode = "ok"  # "ok", "error500", "slow"
        self.delay = 2.0


def make_handler(api: TwilioAPI) -> type:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            path = urlparse(self.path).path
            api.requests.append({"path": path, "form": form, "headers": dict(self.headers)})
            auth = self.headers.get("Authorization", "")
            expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            if auth != expected:
                return self._send(
                    401,
                    {
                        "code": 20003,
                        "message": "Authenticate",
                        "more_info": "https://www.twilio.com/docs/errors/20003",
                        "status": 401,
                    },
                )
            if api.mode == "slow":
                time.sleep(api.delay)
            if api.mode == "error500":
                return self._send(
                    500, {"code": 20500, "message": "Internal Server Error", "status": 500}
                )
            match = re.fullmatch(
                rf"/2010-04-01/Accounts/{ACCOUNT_SID}/(Messages|Calls)\.json", path
            )
            if match is None:
                return self._send(404, {"code": 20404, "message": "Not found", "status": 404})
            if form.get("To") == REFUSED_NUMBER:
                return self._send(
                    400,
                    {
                        "code": 21211,
                        "message": f"The 'To' number {REFUSED_NUMBER} is not a valid phone number.",
                        "status": 400,
                    },
                )
            kind = match.group(1)
            if kind == "Messages":
                ok = (
                    "To" in form
                    and "Body" in form
                    and ("From" in form or "MessagingServiceSid" in form)
                )
            else:
                ok = "To" in form and "From" in form and "Url" in form
            if not ok:
                return self._send(
                    400, {"code": 21201, "message": "Missing parameter", "status": 400}
                )
            sid = ("SM" if kind == "Messages" else "CA") + "f" * 32
            return self._send(
                201,
                {
                    "sid": sid,
                    "account_sid": ACCOUNT_SID,
                    "to": form["To"],
                    "from": form.get("From"),
                    "status": "queued",
                    "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/{kind}/{sid}.json",
                },
            )

    return Handler


@pytest.fixture
def twilio_api(settings):
    """A local server playing Twilio's REST API; the Twilio gateway is configured for it."""
    api = TwilioAPI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(api))
    server.daemon_threads = True
    # shutdown() waits for serve_forever's next poll: 0.5 s by default, each test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    settings.TWO_FACTOR_SMS_GATEWAY = "twilio"
    settings.TWO_FACTOR_CALL_GATEWAY = "otp_phone.gateways.twilio.Twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_CALLER_ID = CALLER_ID
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.TWILIO_TIMEOUT = 5
    # Call URLs come from this setting only (the test client's host).
    settings.OTP_PHONE_CALLBACK_BASE_URL = "http://testserver"
    yield api
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def fake_gateway(settings):
    settings.TWO_FACTOR_SMS_GATEWAY = "fake"
    settings.TWO_FACTOR_CALL_GATEWAY = "fake"


@pytest.fixture
def fake_codes(caplog):
    """``fake_codes()``: (kind, number, code) of every Fake gateway log line so far."""
    caplog.set_level("INFO", logger="two_factor")

    def read() -> list[tuple[str, str, str]]:
        return [
            m.groups()
            for r in caplog.records
            if r.name == "two_factor" and (m := FAKE_LOG_RE.fullmatch(r.getMessage()))
        ]

    return read


@pytest.fixture
def sms_device(user) -> PhoneDevice:
    return PhoneDevice.objects.create(user=user, name="default", number="+31612345678")


@pytest.fixture
def call_device(user) -> PhoneDevice:
    return PhoneDevice.objects.create(
        user=user, name="backup", number="+31612345658", method="call"
    )

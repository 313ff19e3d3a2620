"""A YK-VAL 2.0 validation server for the tests, on loopback.

It checks each request's ``h`` with the client's API key as Yubico's servers
do, remembers OTPs (REPLAYED_OTP) and OTP/nonce pairs (REPLAYED_REQUEST), and
can be told to answer any status, to forge its signature, to change the echoed
nonce or OTP, to leave the signature out, to be slow, or to fail with a 500.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

API_ID = 4711
API_KEY = base64.b64encode(b"loopback-ykval-api-key-01234567").decode()
PATH = "/wsapi/2.0/verify"


def signature(fields: dict[str, str], key_b64: str) -> str:
    message = "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "h")
    digest = hmac.new(base64.b64decode(key_b64), message.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class YKVal:
    """One server: its state, the requests it received and how it misbehaves."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.seen_otps: set[str] = set()
        self.seen_requests: set[tuple[str, str]] = set()
        #: None: answer as a real server; else this status.
        self.status: str | None = None
        #: "", "forge", "nonce", "otp", "unsigned", "slow", "trickle", "truncate",
        #: "redirect" or "error500".
        self.mode = ""
        #: Where "redirect" sends the client (with the same query).
        self.redirect_to = ""
        self.delay = 3.0
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{PATH}"

    def answer(self, query: dict[str, str]) -> tuple[int, dict[str, str], bool]:
        """(HTTP status, fields, sign them?) for a request's parameters."""
        fields = {"t": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ0000")}
        if query.get("id") != str(API_ID):
            return 200, {**fields, "status": "NO_SUCH_CLIENT"}, False
        otp, nonce = query.get("otp", ""), query.get("nonce", "")
        fields.update(otp=otp, nonce=nonce)
        if not hmac.compare_digest(query.get("h", ""), signature(query, API_KEY)):
            return 200, {**fields, "status": "BAD_SIGNATURE"}, True
        if not otp or not re.fullmatch(r"[A-Za-z0-9]{16,40}", nonce):
            return 200, {**fields, "status": "MISSING_PARAMETER"}, True
        if query.get("sl"):
            fields["sl"] = "100"
        if self.status is not None:
            return 200, {**fields, "status": self.status}, True
        if not re.fullmatch(r"[cbdefghijklnrtuv]{32,64}", otp):
            status = "BAD_OTP"
        elif (otp, nonce) in self.seen_requests:
            status = "REPLAYED_REQUEST"
        elif otp in self.seen_otps:
            status = "REPLAYED_OTP"
        else:
            status = "OK"
        self.seen_otps.add(otp)
        self.seen_requests.add((otp, nonce))
        return 200, {**fields, "status": status}, True


def make_handler(state: YKVal) -> type:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            state.requests.append(query)
            if state.mode == "slow":
                time.sleep(state.delay)
            if url.path != PATH:
                return self._send(404, "not found")
            if state.mode == "redirect":
                self.send_response(302)
                self.send_header("Location", f"{state.redirect_to}?{url.query}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if state.mode == "trickle":
                return self._trickle()
            if state.mode == "truncate":
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b"status=OK\r\n")
                self.wfile.flush()
                self.connection.shutdown(2)  # socket.SHUT_RDWR
                return None
            if state.mode == "error500":
                return self._send(500, "status=BACKEND_ERROR\r\n")
            code, fields, signed = state.answer(query)
            if state.mode == "nonce":
                fields["nonce"] = "0" * 32
            if state.mode == "otp":
                fields["otp"] = "c" * 44
            if signed and state.mode != "unsigned":
                key = (
                    base64.b64encode(b"not the api key").decode()
                    if state.mode == "forge"
                    else API_KEY
                )
                fields["h"] = signature(fields, key)
            body = "".join(f"{k}={v}\r\n" for k, v in fields.items()) + "\r\n"
            self._send(code, body)

        def _trickle(self) -> None:
            """A byte every 0.2 s: each read is quick, the whole answer is not."""
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "100")
                self.end_headers()
                for _ in range(100):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _send(self, code: int, body: str) -> None:
            data = body.encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up on a slow answer

    return Handler


def start() -> YKVal:
    state = YKVal()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    state.server = server
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return state


def stop(state: YKVal) -> None:
    assert state.server is not None
    state.server.shutdown()
    state.server.server_close()

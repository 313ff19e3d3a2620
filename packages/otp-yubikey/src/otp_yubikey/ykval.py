"""A client of Yubico's validation protocol YK-VAL 2.0, on ``requests``.

One verification sends the same signed request (``id``, ``otp``, a fresh
``nonce``, ``sl``, ``timeout``, and ``h``: HMAC-SHA1 of the sorted parameters
with the base64-decoded API key) to every URL of the service in parallel, as
the protocol recommends, and takes the first *valid* answer that settles the
matter: signed with the API key, echoing our ``otp`` and ``nonce``. One
deadline (the service's timeout) bounds the whole call; a slow, failing or
forged server is a refusal with a reason, never an exception. Nothing here
logs the OTP, the nonce or the key. Imports no model.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests
import urllib3

__all__ = ["STATUS_REASONS", "Answer", "ServiceConfig", "sign", "verify"]

logger = logging.getLogger("otp_core")

#: Every status of YK-VAL 2.0 and the refusal reason it maps to (OK accepts).
STATUS_REASONS: dict[str, str | None] = {
    "OK": None,
    "BAD_OTP": "bad_otp",
    "REPLAYED_OTP": "replayed_otp",
    "BAD_SIGNATURE": "bad_request_signature",
    "MISSING_PARAMETER": "missing_parameter",
    "NO_SUCH_CLIENT": "no_such_client",
    "OPERATION_NOT_ALLOWED": "operation_not_allowed",
    "BACKEND_ERROR": "backend_error",
    "NOT_ENOUGH_ANSWERS": "not_enough_answers",
    "REPLAYED_REQUEST": "replayed_request",
}
#: Statuses after which another server's answer may still settle the OTP:
#: a server that was asked the same request by a peer in sync says
#: REPLAYED_REQUEST, and errors of one server say nothing about the OTP.
NOT_FINAL = frozenset({"BACKEND_ERROR", "NOT_ENOUGH_ANSWERS", "REPLAYED_REQUEST"})
#: Longest answer read from a server.
MAX_ANSWER_BYTES = 4096


@dataclass(frozen=True)
class ServiceConfig:
    """Where and how to ask: the values of one ``ValidationService``."""

    urls: tuple[str, ...]
    api_id: int
    api_key: bytes
    sl: str = ""
    timeout: float = 5.0

    def __repr__(self) -> str:  # never the API key
        return f"ServiceConfig(urls={self.urls!r}, api_id={self.api_id})"


@dataclass(frozen=True)
class Answer:
    """The outcome of one verification: accepted, or refused with a reason."""

    accepted: bool
    #: None when accepted; a value of :data:`STATUS_REASONS` or a client-side
    #: reason: ``forged_answer``, ``unsigned_answer``, ``otp_mismatch``,
    #: ``nonce_mismatch``, ``malformed_answer``, ``unknown_status``,
    #: ``http_error``, ``connection_error``, ``timeout``, ``no_api_key``.
    reason: str | None = None
    #: The protocol status the reason came from, when a server gave one.
    status: str | None = None
    #: Whether the status is final (settles the OTP) rather than one server's trouble.
    final: bool = True


def sign(params: dict[str, str], key: bytes) -> str:
    """YK-VAL's ``h``: base64 HMAC-SHA1 of ``k=v`` pairs sorted by key, joined by ``&``."""
    message = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "h")
    return base64.b64encode(hmac.new(key, message.encode(), hashlib.sha1).digest()).decode()


def parse(body: str) -> dict[str, str]:
    """The ``key=value`` lines of an answer (the value may contain ``=``)."""
    fields: dict[str, str] = {}
    for line in body.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key:
            fields[key] = value
    return fields


def judge(fields: dict[str, str], otp: str, nonce: str, key: bytes) -> Answer:
    """What one server's parsed answer means for our request."""
    status = fields.get("status", "")
    if status not in STATUS_REASONS:
        return Answer(False, "malformed_answer" if not status else "unknown_status", final=False)
    signature = fields.get("h", "")
    if not signature:
        # Servers that do not know the client cannot sign; such an answer can
        # refuse (a refusal is what we do anyway) but never accept.
        if status == "OK":
            return Answer(False, "unsigned_answer", final=False)
        return Answer(False, STATUS_REASONS[status], status, final=False)
    if not hmac.compare_digest(signature.encode(), sign(fields, key).encode()):
        return Answer(False, "forged_answer", final=False)
    if status == "OK" or "otp" in fields or "nonce" in fields:
        if not hmac.compare_digest(fields.get("otp", "").encode(), otp.encode()):
            return Answer(False, "otp_mismatch", final=False)
        if not hmac.compare_digest(fields.get("nonce", "").encode(), nonce.encode()):
            return Answer(False, "nonce_mismatch", final=False)
    if status == "OK":
        return Answer(True, None, status)
    return Answer(False, STATUS_REASONS[status], status, final=status not in NOT_FINAL)


def _read_until(stream: Any, deadline: float) -> bytes | None:
    """The body, read a byte at a time from the buffered stream so that a
    server sending it slowly cannot keep this thread past ``deadline`` (None then)."""
    body = bytearray()
    while len(body) <= MAX_ANSWER_BYTES:
        if time.monotonic() > deadline:
            return None
        byte = stream.read(1, decode_content=True)
        if not byte:
            break
        body += byte
    return bytes(body)


def _ask(
    url: str, params: dict[str, str], otp: str, nonce: str, key: bytes, deadline: float
) -> Answer:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return Answer(False, "timeout", final=False)
    if url.startswith("http://"):
        from django.conf import settings

        if not settings.DEBUG:
            logger.warning("YubiKey validation over plain HTTP (check otp_yubikey.W001).")
    try:
        with requests.get(
            url,
            params=params,
            timeout=(remaining, remaining),
            allow_redirects=False,
            stream=True,
            headers={"Accept": "text/plain"},
        ) as response:
            if response.status_code != 200:
                return Answer(False, "http_error", final=False)
            raw = _read_until(response.raw, deadline)
            if raw is None:
                return Answer(False, "timeout", final=False)
    except (requests.Timeout, urllib3.exceptions.TimeoutError):
        return Answer(False, "timeout", final=False)
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError):
        # Never logged: these messages carry the URL, whose query holds the OTP.
        return Answer(False, "connection_error", final=False)
    if len(raw) > MAX_ANSWER_BYTES:
        return Answer(False, "malformed_answer", final=False)
    return judge(parse(raw.decode("utf-8", "replace")), otp, nonce, key)


def verify(config: ServiceConfig, otp: str) -> Answer:
    """Ask every URL of ``config`` about ``otp`` at once; the first final answer wins.

    Returns within ``config.timeout`` seconds (plus scheduling noise) whatever
    the servers do. When no server gives a final answer, the reason is the
    first one collected.
    """
    if not config.api_key:
        return Answer(False, "no_api_key")
    nonce = secrets.token_hex(16)  # 32 characters; the protocol wants 16 to 40
    params = {"id": str(config.api_id), "otp": otp, "nonce": nonce}
    if config.sl:
        params["sl"] = config.sl
    params["timeout"] = str(max(1, int(config.timeout)))
    params["h"] = sign(params, config.api_key)
    deadline = time.monotonic() + config.timeout
    executor = concurrent.futures.ThreadPoolExecutor(
        max_workers=len(config.urls), thread_name_prefix="ykval"
    )
    try:
        pending: set[Any] = {
            executor.submit(_ask, url, params, otp, nonce, config.api_key, deadline)
            for url in config.urls
        }
        first: Answer | None = None
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            done, pending = concurrent.futures.wait(
                pending, timeout=remaining, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for future in done:
                try:
                    answer = future.result()
                except Exception as exc:  # a bug in one answer's handling must not be a 500
                    # The type only: a message could quote the request URL (and the OTP).
                    logger.error(
                        "YubiKey validation: an answer failed with %s.", type(exc).__name__
                    )
                    answer = Answer(False, "malformed_answer", final=False)
                if answer.accepted or answer.final:
                    return answer
                first = first or answer
        return first or Answer(False, "timeout", final=False)
    finally:
        # Do not wait for slow servers: their threads end at their own timeout.
        executor.shutdown(wait=False, cancel_futures=True)

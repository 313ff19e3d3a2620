"""The YK-VAL 2.0 client against local validation servers over real HTTP."""

from __future__ import annotations

import base64
import logging
import time

import pytest

from otp_core.verification import verify
from otp_yubikey import ykval
from otp_yubikey.ykval import STATUS_REASONS, ServiceConfig

from .ykval_server import API_ID, API_KEY, signature

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.OTP_YUBIKEY_THROTTLE_FACTOR = 0


@pytest.fixture
def refusals(caplog):
    """``refusals()``: the reasons the remote device logged so far."""
    caplog.set_level(logging.INFO, logger="otp_core")
    prefix = "YubiKey validation refused for device "

    def read() -> list[str]:
        messages = [r.getMessage() for r in caplog.records if r.name == "otp_core"]
        return [m.rpartition(": ")[2] for m in messages if m.startswith(prefix)]

    return read


def config(*urls: str, timeout: float = 2, key: str = API_KEY, sl: str = "") -> ServiceConfig:
    return ServiceConfig(
        urls=urls, api_id=API_ID, api_key=base64.b64decode(key), sl=sl, timeout=timeout
    )


def test_request_is_signed_with_a_fresh_nonce(ykval, key):
    otp = key.otp()
    first = ykval_client_verify(config(ykval.url, sl="secure"), otp)
    assert first.accepted
    [request] = ykval.requests
    assert request["id"] == str(API_ID)
    assert request["otp"] == otp
    assert request["sl"] == "secure"
    assert request["timeout"] == "2"
    assert request["h"] == signature(request, API_KEY)
    assert 16 <= len(request["nonce"]) <= 40
    assert request["nonce"].isalnum()
    ykval_client_verify(config(ykval.url), key.otp())
    assert ykval.requests[0]["nonce"] != ykval.requests[1]["nonce"]


def ykval_client_verify(cfg: ServiceConfig, otp: str) -> ykval.Answer:
    return ykval.verify(cfg, otp)


def test_remote_device_accepts_once_then_the_server_refuses_the_replay(
    remote_device, key, ykval, refusals
):
    otp = key.otp()
    assert verify(remote_device, otp).accepted
    assert not verify(remote_device, otp).accepted
    assert refusals()[-1] == "replayed_otp"
    assert len(ykval.requests) == 2


@pytest.mark.parametrize("status", sorted(set(STATUS_REASONS) - {"OK"}))
def test_every_status_is_a_refusal_with_its_reason(remote_device, key, ykval, refusals, status):
    ykval.status = status
    result = verify(remote_device, key.otp())
    assert (result.accepted, result.reason) == (False, "mismatch")
    assert refusals()[-1] == STATUS_REASONS[status]


def test_unknown_status_is_a_refusal(key, ykval):
    ykval.status = "SOMETHING_NEW"
    assert ykval_client_verify(config(ykval.url), key.otp()).reason == "unknown_status"


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("forge", "forged_answer"),
        ("nonce", "nonce_mismatch"),
        ("otp", "otp_mismatch"),
        ("unsigned", "unsigned_answer"),
        ("error500", "http_error"),
    ],
)
def test_bad_answers_are_refused(remote_device, key, ykval, refusals, mode, reason):
    ykval.mode = mode
    result = verify(remote_device, key.otp())
    assert not result.accepted
    assert refusals()[-1] == reason
    assert len(ykval.requests) == 1  # the server did answer OK (or failed)


def test_wrong_api_key_is_refused_by_the_server(key, ykval):
    other = base64.b64encode(b"another key").decode()
    answer = ykval_client_verify(config(ykval.url, key=other), key.otp())
    # The server says BAD_SIGNATURE signed with the real key: we cannot check
    # its signature, so it can only ever be a refusal.
    assert not answer.accepted
    assert answer.reason == "forged_answer"


def test_slow_server_is_a_refusal_within_the_timeout(
    remote_device, key, ykval, service, refusals, caplog
):
    service.param_timeout = 1
    service.save()
    ykval.mode = "slow"
    ykval.delay = 3
    started = time.monotonic()
    otp = key.otp()
    result = verify(remote_device, otp)
    elapsed = time.monotonic() - started
    assert not result.accepted
    assert refusals()[-1] == "timeout"
    assert elapsed < 1.9, elapsed
    assert "timeout" in caplog.text
    assert otp not in caplog.text
    assert key.public_id not in caplog.text


def test_answer_cut_short_is_a_refusal(ykval, key, caplog):
    ykval.mode = "truncate"
    otp = key.otp()
    answer = ykval_client_verify(config(ykval.url), otp)
    assert (answer.accepted, answer.reason) == (False, "connection_error")
    assert otp not in caplog.text


def test_unreachable_server_is_a_refusal(key):
    answer = ykval_client_verify(config("http://127.0.0.1:9/wsapi/2.0/verify"), key.otp())
    assert (answer.accepted, answer.reason) == (False, "connection_error")


def test_first_valid_answer_wins_among_parallel_servers(ykval_servers, key):
    slow, forged, good = ykval_servers(3)
    slow.mode, slow.delay = "slow", 3
    forged.mode = "forge"
    started = time.monotonic()
    answer = ykval_client_verify(config(slow.url, forged.url, good.url, timeout=2), key.otp())
    assert answer.accepted
    assert time.monotonic() - started < 1.5
    # All three were asked the same signed request.
    assert len({r["nonce"] for s in (slow, forged, good) for r in s.requests}) == 1


def test_replayed_request_waits_for_another_server(ykval_servers, key):
    synced, good = ykval_servers(2)
    synced.status = "REPLAYED_REQUEST"
    good.mode, good.delay = "slow", 0.5
    answer = ykval_client_verify(config(synced.url, good.url, timeout=2), key.otp())
    assert answer.accepted


def test_a_final_refusal_wins_over_silence(ykval_servers, key):
    slow, replayed = ykval_servers(2)
    slow.mode, slow.delay = "slow", 3
    replayed.status = "REPLAYED_OTP"
    started = time.monotonic()
    answer = ykval_client_verify(config(slow.url, replayed.url, timeout=2), key.otp())
    assert answer.reason == "replayed_otp"
    assert time.monotonic() - started < 1.5


def test_other_keys_otp_is_refused_before_any_network_call(remote_device, key, ykval):
    assert not verify(remote_device, key.otp(public_id="vvccccdfhnfl")).accepted
    assert not verify(remote_device, "not an otp at all").accepted
    assert not verify(remote_device, key.otp(public_id="")).accepted
    assert ykval.requests == []


def test_redirects_are_not_followed(ykval_servers, key):
    redirecting, elsewhere = ykval_servers(2)
    redirecting.mode, redirecting.redirect_to = "redirect", elsewhere.url
    answer = ykval_client_verify(config(redirecting.url), key.otp())
    assert answer.reason == "http_error"
    assert elsewhere.requests == []


def test_a_trickling_server_cannot_stretch_the_deadline(ykval, key):
    ykval.mode = "trickle"
    started = time.monotonic()
    answer = ykval_client_verify(config(ykval.url, timeout=1), key.otp())
    assert answer.reason == "timeout"
    assert time.monotonic() - started < 1.9


def test_service_without_api_key_never_accepts(key, ykval):
    cfg = ServiceConfig(urls=(ykval.url,), api_id=API_ID, api_key=b"", timeout=1)
    assert ykval_client_verify(cfg, key.otp()).reason == "no_api_key"
    assert ykval.requests == []


def test_api_key_is_encrypted_and_never_in_repr(service):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT api_key FROM {service._meta.db_table} WHERE id = %s", [service.pk])
        assert API_KEY not in cursor.fetchone()[0]
    assert API_KEY not in repr(service)
    assert API_KEY not in repr(service.client_config())


def test_yubicloud_is_the_default(service):
    service.base_url = ""
    assert service.urls() == ["https://api.yubico.com/wsapi/2.0/verify"]
    service.base_url = "https://a.example/verify\nhttps://b.example/verify "
    assert service.urls() == ["https://a.example/verify", "https://b.example/verify"]


@pytest.fixture
def failures():
    """The keyword arguments of every ``verification_failed`` signal sent."""
    from otp_core import signals

    seen: list[dict] = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    signals.verification_failed.connect(receiver, weak=False)
    yield seen
    signals.verification_failed.disconnect(receiver)


@pytest.mark.parametrize(
    ("status", "mode", "reason"),
    [
        ("REPLAYED_OTP", "", "replayed_otp"),
        ("BAD_SIGNATURE", "", "bad_request_signature"),
        ("OK", "forge", "forged_answer"),
        ("OK", "slow", "timeout"),
    ],
)
def test_the_refusal_reason_reaches_the_verification_failed_signal(
    remote_device, key, ykval, service, failures, status, mode, reason
):
    service.param_timeout = 1
    service.save()
    ykval.status, ykval.mode, ykval.delay = status, mode, 2
    otp = key.otp()
    result = verify(remote_device, otp)
    assert (result.accepted, result.reason) == (False, "mismatch")
    expected_status = status if mode == "" else None
    assert result.details == {"yubikey_reason": reason, "yubikey_status": expected_status}
    [sent] = failures
    assert sent["reason"] == "mismatch"
    assert sent["details"] == result.details
    assert otp not in repr(sent["details"])
    assert key.public_id not in repr(sent["details"])


def test_another_keys_otp_says_so_in_the_signal(remote_device, key, ykval, failures):
    verify(remote_device, key.otp(public_id="vvccccdfhnfl"))
    assert failures[-1]["details"] == {"yubikey_reason": "other_key", "yubikey_status": None}
    verify(remote_device, "not an otp at all")
    assert failures[-1]["details"] == {"yubikey_reason": "malformed_otp", "yubikey_status": None}


def test_the_default_timeout_is_at_most_five_seconds():
    """The device row stays locked during the call (docs): the default keeps it short."""
    from otp_yubikey.models import ValidationService

    assert ValidationService._meta.get_field("param_timeout").default <= 5
    assert ValidationService(name="x", api_key="").client_config().timeout <= 5
    assert ServiceConfig(urls=(), api_id=1, api_key=b"k").timeout <= 5

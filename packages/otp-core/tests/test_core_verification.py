"""The one verification path: exactly-once acceptance, what it saves, what it costs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from otp_core.verification import VerificationResult, verify

pytestmark = pytest.mark.django_db

_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)\b", re.IGNORECASE)


def data_statements(context: CaptureQueriesContext) -> list[str]:
    """The statements that read or write rows, without transaction control."""
    return [q["sql"] for q in context.captured_queries if not _CONTROL.match(q["sql"])]


def test_token_is_accepted_once_then_refused(device, otp_code):
    code = otp_code(device)
    first = verify(device, code)
    assert first.accepted
    assert first.reason is None
    assert bool(first) is True
    second = verify(device, code)
    assert not second.accepted
    assert second.reason == "mismatch"
    assert bool(second) is False


def test_replay_is_refused_even_from_a_stale_instance(device, otp_code):
    from otp_example.models import ExampleDevice

    stale = ExampleDevice.objects.get(pk=device.pk)
    code = otp_code(device)
    assert verify(device, code).accepted
    # ``stale`` still holds counter 0 in memory; the path reads the locked row.
    assert stale.counter == 0
    assert not verify(stale, code).accepted


def test_success_saves_counter_and_stamps_last_use(device, otp_code):
    before = timezone.now()
    code = otp_code(device, 1)  # inside the look-ahead window
    assert verify(device, code).accepted
    # The caller's instance sees the new state...
    assert device.counter == 2
    assert device.last_used_at is not None
    device.refresh_from_db()
    # ...and so does the database.
    assert device.counter == 2
    assert before <= device.last_used_at <= timezone.now()
    # The skipped code is now behind the counter.
    assert not verify(device, otp_code(device, -1)).accepted


def test_failure_saves_no_counter_or_last_use(device):
    assert not verify(device, "abcdef").accepted
    device.refresh_from_db()
    assert device.counter == 0
    assert device.last_used_at is None
    assert device.throttling_failure_count == 1


@pytest.mark.parametrize("token", [None, 123456, b"123456", ""])
def test_non_string_or_empty_tokens_are_mismatches(device, token):
    result = verify(device, token)
    assert result == VerificationResult(False, "mismatch")


def test_deleted_device_is_refused(device, otp_code, signal_log):
    code = otp_code(device)
    from otp_example.models import ExampleDevice

    ExampleDevice.objects.filter(pk=device.pk).delete()
    result = verify(device, code)
    assert not result.accepted
    assert result.reason == "mismatch"
    assert ExampleDevice.objects.filter(pk=device.pk).count() == 0


def test_verify_token_method_uses_the_shared_path(device, otp_code, signal_log):
    code = otp_code(device)
    assert device.verify_token(code) is True
    assert device.verify_token(code) is False
    assert [name for name, _ in signal_log] == ["verification_succeeded", "verification_failed"]


def test_verification_inside_an_outer_transaction(device, otp_code):
    from django.db import transaction

    code = otp_code(device)
    with transaction.atomic():
        assert verify(device, code).accepted
        assert not verify(device, code).accepted
    device.refresh_from_db()
    assert device.counter == 1


def _expected(kind: str) -> list[str]:
    """The data statements one verification costs on this backend.

    Device row locked and read, then the account row locked and read; then
    the writes. A success for a user without failures writes no account row.
    """
    lock = [] if connection.features.has_select_for_update else ["UPDATE"]
    read = [*lock, "SELECT", "SELECT"]
    return {
        "success": [*read, "UPDATE"],
        "success after failures": [*read, "UPDATE", "UPDATE"],
        # The account row is made by an upsert, then locked and read.
        "first failure": [*read, "INSERT", "SELECT", "UPDATE", "UPDATE"],
        "failure": [*read, "UPDATE", "UPDATE"],
        "refused": read,
    }[kind]


def _verbs(statements: list[str]) -> list[str]:
    return [s.split(None, 1)[0].upper() for s in statements]


def test_query_count_of_a_success(device, otp_code):
    code = otp_code(device)
    with CaptureQueriesContext(connection) as ctx:
        assert verify(device, code).accepted
    statements = data_statements(ctx)
    assert _verbs(statements) == _expected("success"), statements
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in statements[0].upper()
        assert "FOR UPDATE" in statements[1].upper()
    else:
        # SQLite: a no-op write takes the database lock before the read.
        assert statements[0].upper().startswith("UPDATE")
    # The account row is only read: this user has no failures to reset.
    assert "otp_core_accountthrottle" in statements[-2]
    # One UPDATE saves counter, throttle state and last use together.
    final = statements[-1]
    for column in ("counter", "throttling_failure_count", "last_used_at"):
        assert column in final


def test_query_count_of_a_failure_and_of_a_throttled_refusal(settings, device, otp_code):
    with CaptureQueriesContext(connection) as ctx:
        assert not verify(device, "999999x").accepted
    assert _verbs(data_statements(ctx)) == _expected("first failure")
    # The first failure starts no delay; the second does.
    with CaptureQueriesContext(connection) as ctx:
        assert verify(device, "999999x").reason == "mismatch"
    assert _verbs(data_statements(ctx)) == _expected("failure")
    # Within the delay: read and refuse, write nothing.
    with CaptureQueriesContext(connection) as ctx:
        result = verify(device, "999999x")
    assert result.reason == "N_FAILED_ATTEMPTS"
    assert _verbs(data_statements(ctx)) == _expected("refused")
    settings.OTP_THROTTLE_FACTOR = 0
    with CaptureQueriesContext(connection) as ctx:
        assert not verify(device, "999999x").accepted
    assert _verbs(data_statements(ctx)) == _expected("failure")
    # A success after failures resets the account row too.
    with CaptureQueriesContext(connection) as ctx:
        assert verify(device, otp_code(device)).accepted
    assert _verbs(data_statements(ctx)) == _expected("success after failures")

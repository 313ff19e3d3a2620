"""The account-wide failure count: one lock for all of a user's devices (issue 8)."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.utils import timezone
from otp_example.models import ExampleDevice

from otp_core.conf import otp_settings
from otp_core.models import AccountThrottle, VerifyNotAllowed
from otp_core.session import record_verification
from otp_core.verification import verify

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse"
ACCOUNT_LOCKED = "ACCOUNT_LOCKED"  # VerifyNotAllowed.ACCOUNT_LOCKED


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 0, tzinfo=dt_timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def no_device_limits(settings):
    """No device delay or device lock: only the account counter stops guesses."""
    settings.OTP_THROTTLE_FACTOR = 0
    settings.OTP_LOCKOUT_FAILURES = 0


@pytest.fixture
def account_log():
    """What ``account_locked_out`` sends, as kwargs dicts."""
    from otp_core import signals

    log = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal", None)
        log.append({"sender": sender, **kwargs})

    signals.account_locked_out.connect(receiver, weak=False)
    yield log
    signals.account_locked_out.disconnect(receiver)


def wrong_code(*devices, otp_code) -> str:
    valid = {otp_code(d, i) for d in devices for i in range(4)}
    return next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in valid)


def account(user) -> AccountThrottle | None:
    return AccountThrottle.objects.filter(user=user).first()


def failures(*devices) -> list[int]:
    for d in devices:
        d.refresh_from_db()
    return [d.throttling_failure_count for d in devices]


# -- the count and the lock, through verify() --------------------------------------------


def test_default_limit_is_one_hundred():
    assert otp_settings.OTP_ACCOUNT_LOCKOUT_FAILURES == 100


def test_failures_on_every_device_add_up_and_lock_the_account(
    rf, settings, no_device_limits, user, device, hw_device, otp_code, account_log, caplog
):
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 6
    caplog.set_level(logging.DEBUG, logger="otp_core")
    wrong = wrong_code(device, hw_device, otp_code=otp_code)
    request = rf.post("/login/")
    for n in range(1, 6):
        target = device if n % 2 else hw_device
        assert verify(target, wrong, request=request).reason == "mismatch"
        assert account(user).failure_count == n
        assert account(user).locked_at is None
    assert account_log == []
    # The sixth failure, whichever device, locks the account for all devices.
    assert verify(hw_device, wrong, request=request).reason == "mismatch"
    row = account(user)
    assert row.failure_count == 6
    assert row.is_locked
    assert len(account_log) == 1
    assert account_log[0]["sender"] is AccountThrottle
    assert account_log[0]["user"] == user
    assert account_log[0]["failure_count"] == 6
    assert account_log[0]["request"] is request
    # Neither device is locked on its own; the account is.
    assert failures(device, hw_device) == [3, 3]
    for d in (device, hw_device):
        result = verify(d, otp_code(d))
        assert not result.accepted
        assert result.reason == ACCOUNT_LOCKED
        assert result.details["failure_count"] == 6
    # Refusals count nothing, consume nothing and announce nothing again.
    assert account(user).failure_count == 6
    assert failures(device, hw_device) == [3, 3]
    device.refresh_from_db()
    assert device.counter == 0
    assert len(account_log) == 1
    # One warning names the user's pk; no user name, no code.
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"OTP account of user {user.pk} is locked after 6 consecutive failures"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (wrong, otp_code(device), device.key, user.username, user.email):
        assert secret not in logged


def test_lock_at_the_default_of_one_hundred(no_device_limits, user, device, hw_device, otp_code):
    wrong = wrong_code(device, hw_device, otp_code=otp_code)
    for n in range(99):
        verify(device if n % 2 else hw_device, wrong)
    assert account(user).failure_count == 99
    assert not account(user).is_locked
    verify(device, wrong)
    assert account(user).is_locked
    assert verify(hw_device, otp_code(hw_device)).reason == ACCOUNT_LOCKED


def test_success_resets_the_count(no_device_limits, settings, user, device, hw_device, otp_code):
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 3
    wrong = wrong_code(device, hw_device, otp_code=otp_code)
    verify(device, wrong)
    verify(hw_device, wrong)
    assert account(user).failure_count == 2
    assert verify(device, otp_code(device)).accepted
    row = account(user)
    assert row.failure_count == 0
    assert row.last_failure_at is None
    # Consecutive failures only: two more do not lock.
    verify(device, wrong)
    verify(hw_device, wrong)
    assert not account(user).is_locked


def test_zero_disables_the_lock_but_not_the_count(
    no_device_limits, settings, user, device, otp_code
):
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 0
    wrong = wrong_code(device, otp_code=otp_code)
    for _ in range(150):
        verify(device, wrong)
    assert account(user).failure_count == 150
    assert not account(user).is_locked
    assert verify(device, otp_code(device)).accepted


def test_a_lowered_limit_locks_at_the_next_failure(
    no_device_limits, settings, user, device, otp_code
):
    wrong = wrong_code(device, otp_code=otp_code)
    for _ in range(5):
        verify(device, wrong)
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 3
    verify(device, wrong)
    assert account(user).is_locked


def test_other_users_are_not_affected(
    no_device_limits, settings, user, other_user, device, device_factory, otp_code
):
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 2
    theirs = device_factory(other_user)
    wrong = wrong_code(device, otp_code=otp_code)
    verify(device, wrong)
    verify(device, wrong)
    assert account(user).is_locked
    assert account(other_user) is None
    assert verify(theirs, otp_code(theirs)).accepted


def test_set_up_codes_neither_count_nor_reset_but_the_lock_holds(
    no_device_limits, settings, user, device, device_factory, otp_code
):
    """A set-up's own code guesses no enrolled factor; a locked account sets up nothing."""
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 3
    pending = device_factory(user, confirmed=False)
    wrong = wrong_code(device, pending, otp_code=otp_code)
    verify(device, wrong)
    verify(device, wrong)
    for _ in range(5):
        verify(pending, wrong)
    assert account(user).failure_count == 2
    assert verify(pending, otp_code(pending)).accepted
    assert account(user).failure_count == 2  # an attacker's own new device resets nothing
    verify(device, wrong)
    assert account(user).is_locked
    other_pending = device_factory(user, confirmed=False)
    assert verify(other_pending, otp_code(other_pending)).reason == ACCOUNT_LOCKED


# -- no device chosen: one code, one failure ---------------------------------------------


def test_no_device_choice_counts_one_failure_on_the_account_only(
    no_device_limits, user, device, hw_device, device_factory, otp_code, signal_log
):
    from otp_core.verification import verify_any

    third = device_factory(user)
    wrong = wrong_code(device, hw_device, third, otp_code=otp_code)
    found, result = verify_any([device, hw_device, third], wrong)
    assert found is None
    assert result.reason == "mismatch"
    assert account(user).failure_count == 1
    assert failures(device, hw_device, third) == [0, 0, 0]
    # Listeners still hear that each device refused the code.
    assert sorted(e[1]["device"].pk for e in signal_log) == sorted(
        [device.pk, hw_device.pk, third.pk]
    )


def test_no_device_choice_accepts_once(user, device, hw_device, otp_code):
    from otp_core.verification import verify_any

    code = otp_code(hw_device)
    found, result = verify_any([device, hw_device], code)
    assert result.accepted
    assert found.pk == hw_device.pk
    assert found is hw_device  # the caller's instance sees the new state
    hw_device.refresh_from_db()
    assert hw_device.counter == 1
    assert hw_device.last_used_at is not None
    found, result = verify_any([device, hw_device], code)
    assert found is None
    assert not result.accepted


def test_no_device_choice_is_slowed_by_the_account_delay(
    settings, clock, user, device, hw_device, otp_code
):
    from otp_core.verification import verify_any

    settings.OTP_THROTTLE_FACTOR = 2
    wrong = wrong_code(device, hw_device, otp_code=otp_code)
    assert verify_any([device, hw_device], wrong)[1].reason == "mismatch"
    # The first failure is free: the next guess is checked at once.
    assert verify_any([device, hw_device], wrong)[1].reason == "mismatch"
    # After the second, 2 * 2 s: even the right code is refused unchecked, and counts nothing.
    clock.advance(3.9)
    found, result = verify_any([device, hw_device], otp_code(device))
    assert found is None
    assert result.reason == VerifyNotAllowed.N_FAILED_ATTEMPTS.value
    assert result.details["locked_until"] == clock.now + timedelta(seconds=0.1)
    assert account(user).failure_count == 2
    # A chosen device keeps its own delay only (it has none: it never failed).
    assert verify(hw_device, otp_code(hw_device)).accepted
    clock.advance(0.1)
    assert verify_any([device, hw_device], otp_code(device))[1].accepted


def test_no_device_choice_skips_a_throttled_device(
    settings, clock, user, device, hw_device, otp_code
):
    from otp_core.verification import verify_any

    wrong = wrong_code(device, hw_device, otp_code=otp_code)
    verify(device, wrong)  # device now waits 1 s; the account too, for an unchosen code
    clock.advance(1)
    ExampleDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=clock.now
    )
    found, result = verify_any([device, hw_device], otp_code(hw_device))
    assert found.pk == hw_device.pk
    # The right code of the throttled device: refused, and the user is told to wait.
    device.refresh_from_db()
    found, result = verify_any([device, hw_device], otp_code(device))
    assert found is None
    assert result.reason == VerifyNotAllowed.N_FAILED_ATTEMPTS.value


def test_no_device_choice_refused_while_the_account_is_locked(
    no_device_limits, settings, user, device, hw_device, otp_code
):
    from otp_core.verification import verify_any

    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 2
    wrong = wrong_code(device, hw_device, otp_code=otp_code)
    verify_any([device, hw_device], wrong)
    verify_any([device, hw_device], wrong)
    assert account(user).is_locked
    found, result = verify_any([device, hw_device], otp_code(device))
    assert found is None
    assert result.reason == ACCOUNT_LOCKED
    assert account(user).failure_count == 2


def test_verify_any_takes_one_users_devices(user, other_user, device, device_factory):
    from otp_core.verification import verify_any

    with pytest.raises(ValueError, match="one user"):
        verify_any([device, device_factory(other_user)], "123456")
    assert verify_any([], "123456")[0] is None


def test_match_token_counts_one_failure(no_device_limits, user, device, hw_device, otp_code):
    from otp_core import match_token

    wrong = wrong_code(device, hw_device, otp_code=otp_code)
    assert match_token(user, wrong) is None
    assert account(user).failure_count == 1
    assert failures(device, hw_device) == [0, 0]
    assert match_token(user, otp_code(hw_device)).pk == hw_device.pk


# -- the forms -------------------------------------------------------------------------


def login(client, token, device=None, url="/login/"):
    data = {"username": "alice", "password": PASSWORD, "otp_token": token}
    if device is not None:
        data["otp_device"] = device.persistent_id
    return client.post(url, data)


def form_errors(response) -> list:
    return response.context["form"].errors.as_data().get("__all__", [])


def test_login_with_no_device_chosen_checks_no_device(
    client, no_device_limits, user, device, hw_device, otp_code
):
    # Issue 12: with several devices the form asks which one; nothing is checked.
    wrong = wrong_code(device, hw_device, otp_code=otp_code)
    response = login(client, wrong)
    assert response.status_code == 200
    assert [e.code for e in form_errors(response)] == ["device_required"]
    assert account(user) is None  # no failure was ever counted
    assert failures(device, hw_device) == [0, 0]
    response = login(client, wrong, hw_device)
    assert [e.code for e in form_errors(response)] == ["invalid_token"]
    assert account(user).failure_count == 1
    response = login(client, otp_code(hw_device), hw_device)
    assert response.status_code == 302
    assert account(user).failure_count == 0


@pytest.mark.parametrize("url", ["/login/", "/otpadmin/login/"])
def test_login_forms_say_the_account_is_locked(client, settings, user, device, otp_code, url):
    user.is_staff = True
    user.save()
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 1
    settings.OTP_THROTTLE_FACTOR = 0
    verify(device, wrong_code(device, otp_code=otp_code))
    for chosen in (device, None):
        response = login(client, otp_code(device), chosen, url=url)
        assert response.status_code == 200
        errors = form_errors(response)
        assert [e.code for e in errors] == ["account_locked"]
        assert "locked for this account" in str(errors[0].message)
    assert client.session.get("_auth_user_id") is None


def test_device_verification_forms_say_the_account_is_locked(settings, user, device, otp_code):
    from otp_core.forms import refusal_error
    from otp_core.setup import DeviceVerificationForm

    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 1
    verify(device, wrong_code(device, otp_code=otp_code))
    form = DeviceVerificationForm({"otp_token": otp_code(device)}, device=device)
    assert not form.is_valid()
    assert form.errors.as_data()["__all__"][0].code == "account_locked"
    # A plugin form whose messages predate the account lock gets the default text.
    old_messages = {"invalid_token": "x", "throttled": "%(seconds)d", "locked_out": "y"}
    error = refusal_error(verify(device, otp_code(device)), old_messages)
    assert error.code == "account_locked"
    assert "locked for this account" in str(error.message)


# -- unlocking ---------------------------------------------------------------------------


@pytest.fixture
def locked_account(no_device_limits, settings, user, device, hw_device, otp_code):
    settings.OTP_ACCOUNT_LOCKOUT_FAILURES = 2
    wrong = wrong_code(device, hw_device, otp_code=otp_code)
    verify(device, wrong)
    verify(hw_device, wrong)
    assert account(user).is_locked
    return account(user)


def test_otp_unlock_clears_the_account_lock(locked_account, user, device, otp_code, caplog):
    caplog.set_level(logging.INFO, logger="otp_core")
    out = StringIO()
    call_command("otp_unlock", "alice", stdout=out)
    assert out.getvalue() == "alice: 2 device(s) unlocked, account unlocked\n"
    row = account(user)
    assert (row.failure_count, row.last_failure_at, row.locked_at) == (0, None, None)
    assert f"OTP account of user {user.pk} was unlocked" in caplog.text
    assert verify(device, otp_code(device)).accepted


def test_otp_disable_leaves_the_account_lock(locked_account, user, device_factory, otp_code):
    """Removing devices is not unlocking: an administrator runs otp_unlock for that."""
    call_command("otp_disable", "alice", stdout=StringIO())
    assert account(user).is_locked
    # A device set up afterwards is refused too, until an administrator unlocks.
    new = device_factory(user)
    assert verify(new, otp_code(new)).reason == ACCOUNT_LOCKED


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_user("root", "root@example.com", PASSWORD)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    session = client.session
    key = ExampleDevice.objects.create(user=admin, name="admin key", key="31" * 20)
    record_verification(session, key, at=time.time())
    session.save()
    client.admin = admin
    return client


CHANGELIST = "/admin/otp_core/accountthrottle/"


@pytest.mark.parametrize("prefix", ["/admin", "/otpadmin"])
def test_admin_lists_and_unlocks_accounts(admin_client, locked_account, user, prefix):
    url = f"{prefix}/otp_core/accountthrottle/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "alice" in response.content.decode()
    assert admin_client.get(f"{url}?locked=yes").context["cl"].result_count == 1
    assert admin_client.get(f"{url}?locked=no").context["cl"].result_count == 0
    assert admin_client.get(f"{url}add/").status_code == 403
    response = admin_client.post(url, {"action": "unlock", "_selected_action": [locked_account.pk]})
    assert response.status_code == 302
    assert "1 account was unlocked." in [str(m) for m in get_messages(response.wsgi_request)]
    assert not account(user).is_locked
    assert account(user).failure_count == 0


def test_admin_change_page_is_read_only_and_there_is_no_delete(admin_client, locked_account, user):
    url = f"{CHANGELIST}{locked_account.pk}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="failure_count"' not in response.content.decode()
    admin_client.post(url, {"failure_count": 0, "locked_at": ""})
    assert account(user).is_locked
    assert admin_client.get(f"{CHANGELIST}{locked_account.pk}/delete/").status_code == 403


def test_admin_cannot_unlock_their_own_account(admin_client, settings, otp_code):
    admin = admin_client.admin
    own = AccountThrottle.objects.create(
        user=admin, failure_count=100, last_failure_at=timezone.now(), locked_at=timezone.now()
    )
    response = admin_client.post(CHANGELIST, {"action": "unlock", "_selected_action": [own.pk]})
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "You cannot unlock your own account; ask another administrator." in messages
    own.refresh_from_db()
    assert own.is_locked


def test_staff_without_change_permission_cannot_unlock(
    client, locked_account, user, django_user_model
):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", "v@example.com", PASSWORD)
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_accountthrottle"))
    client.force_login(viewer)
    response = client.post(
        CHANGELIST, {"action": "unlock", "_selected_action": [locked_account.pk]}
    )
    assert response.status_code in (200, 302, 403)
    assert account(user).is_locked

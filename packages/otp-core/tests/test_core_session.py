"""What a session knows: recorded verifications and the questions OTPState answers."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from otp_example.models import ExampleDevice

import otp_core
from otp_core import signals
from otp_core.browsers import BROWSER_SESSION_KEY, digest
from otp_core.middleware import OTPMiddleware, OTPUser
from otp_core.models import SignedInBrowser
from otp_core.policy import AAL3, Policy
from otp_core.session import (
    DEVICE_ID_SESSION_KEY,
    VERIFICATIONS_SESSION_KEY,
    OTPState,
    Verification,
    record_verification,
    stored_verifications,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_request(rf):
    """A request with a saved session and ``user``, passed through OTPMiddleware."""

    def build(user, session=None):
        request = rf.get("/")
        if session is None:
            session = SessionStore()
            session.create()
        request.session = session
        request.user = user
        OTPMiddleware(lambda r: None)(request)
        return request

    return build


def test_login_rotates_the_session_key(make_request, user, device):
    request = make_request(user)
    old_key = request.session.session_key
    request.session["kept"] = "yes"
    request.session.save()

    otp_core.login(request, device)
    request.session.save()

    assert request.session.session_key != old_key
    assert not SessionStore().exists(old_key)
    assert SessionStore(session_key=old_key).load() == {}
    # The data moved to the new key.
    reloaded = SessionStore(session_key=request.session.session_key).load()
    assert reloaded["kept"] == "yes"
    assert reloaded[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_login_records_device_kind_and_time(make_request, user, hw_device):
    request = make_request(user)
    before = time.time()
    otp_core.login(request, hw_device)
    (entry,) = stored_verifications(request.session)
    assert entry.device_id == hw_device.persistent_id
    assert entry.amr == "hwk"
    assert before <= entry.at <= time.time()
    assert request.session[DEVICE_ID_SESSION_KEY] == hw_device.persistent_id
    # The request sees the new state at once.
    assert request.user.is_verified()
    assert request.user.otp_device.pk == hw_device.pk
    assert request.otp.factors == {"hwk"}


def test_login_sends_otp_login_signal(make_request, user, device):
    seen = []

    def receiver(sender, **kwargs):
        seen.append((sender, kwargs["device"].pk, kwargs["user"].pk, kwargs["request"]))

    signals.otp_login.connect(receiver)
    try:
        request = make_request(user)
        otp_core.login(request, device)
    finally:
        signals.otp_login.disconnect(receiver)
    assert seen == [(ExampleDevice, device.pk, user.pk, request)]


def test_login_needs_the_devices_owner(make_request, user, other_user, device):
    with pytest.raises(ValueError, match="owner"):
        otp_core.login(make_request(other_user), device)
    with pytest.raises(ValueError, match="owner"):
        otp_core.login(make_request(AnonymousUser()), device)


def test_login_without_middleware_attaches_state(rf, user, device):
    request = rf.get("/")
    request.session = SessionStore()
    request.user = user
    otp_core.login(request, device)
    assert isinstance(request.user, OTPUser)
    assert request.user.is_verified()
    assert request.user.otp_device.pk == device.pk


def test_several_verifications_one_per_device_newest_last(
    make_request, user, device, hw_device, device_factory
):
    request = make_request(user)
    third = device_factory(user)
    otp_core.login(request, device)
    otp_core.login(request, hw_device)
    otp_core.login(request, third)
    otp_core.login(request, device)  # again: moves to the end, not duplicated
    ids = [v.device_id for v in stored_verifications(request.session)]
    assert ids == [hw_device.persistent_id, third.persistent_id, device.persistent_id]
    assert request.user.otp_device.pk == device.pk
    assert request.otp.factors == {"otp", "hwk"}
    assert [v.device_id for v in request.otp.verifications] == ids


def test_verifications_are_capped(settings, make_request, user, device_factory):
    settings.OTP_SESSION_MAX_VERIFICATIONS = 3
    request = make_request(user)
    devices = [device_factory(user) for _ in range(5)]
    for device in devices:
        otp_core.login(request, device)
    ids = [v.device_id for v in stored_verifications(request.session)]
    assert ids == [d.persistent_id for d in devices[-3:]]


def test_default_cap_is_ten(make_request, user, device_factory):
    session = SessionStore()
    for _ in range(12):
        record_verification(session, device_factory(user))
    assert len(stored_verifications(session)) == 10


def test_age_and_factors(make_request, user, device, hw_device):
    session = SessionStore()
    now = time.time()
    record_verification(session, device, at=now - 100)
    record_verification(session, hw_device, at=now - 30)
    request = make_request(user, session)
    state = request.otp
    assert state.factors == {"otp", "hwk"}
    assert state.age() == pytest.approx(30, abs=2)
    assert state.age("otp") == pytest.approx(100, abs=2)
    assert state.age(["hwk", "otp"]) == pytest.approx(30, abs=2)
    assert state.age("sms") is None
    assert state.satisfies()
    assert state.satisfies(Policy(factors="hwk", max_age=60))
    assert not state.satisfies(Policy(factors="otp", max_age=60))
    assert state.satisfies(Policy(level=AAL3, max_age=timedelta(minutes=1)))
    assert not state.satisfies(Policy(level=AAL3, max_age=10))
    assert not state.satisfies(Policy(factors="sms"))


def test_unverified_state_answers_no(make_request, user, device):
    request = make_request(user)
    assert request.user.is_verified() is False
    assert request.user.otp_device is None
    assert request.otp.factors == frozenset()
    assert request.otp.age() is None
    assert not request.otp.satisfies()
    assert request.otp.verifications == []


def test_anonymous_request_is_never_verified(make_request, user, device):
    session = SessionStore()
    record_verification(session, device)
    request = make_request(AnonymousUser(), session)
    assert request.user.is_verified() is False
    assert request.otp.device is None


def _verified_request(make_request, user, device):
    # A session signed in as the sign-in makes it: with its browser row.
    session = SessionStore()
    session[BROWSER_SESSION_KEY] = secret = secrets.token_urlsafe(16)
    SignedInBrowser.objects.create(user=user, key_digest=digest(secret))
    record_verification(session, device)
    return make_request(user, session)


def test_deleted_device_no_longer_verifies(make_request, user, device):
    device.delete()
    request = _verified_request(make_request, user, device)
    assert not request.user.is_verified()
    assert request.otp.verifications == []


def test_unconfirmed_device_no_longer_verifies(make_request, user, device):
    ExampleDevice.objects.filter(pk=device.pk).update(confirmed=False)
    request = _verified_request(make_request, user, device)
    assert not request.user.is_verified()


def test_other_users_device_does_not_verify(make_request, user, other_user, device_factory):
    foreign = device_factory(other_user)
    request = _verified_request(make_request, user, foreign)
    assert not request.user.is_verified()
    assert request.user.otp_device is None


def test_a_dropped_device_falls_back_to_the_previous_one(make_request, user, device, hw_device):
    session = SessionStore()
    record_verification(session, device)
    record_verification(session, hw_device)
    hw_device.delete()
    request = make_request(user, session)
    assert request.user.is_verified()
    assert request.user.otp_device.pk == device.pk
    assert request.otp.factors == {"otp"}


def test_factor_kind_comes_from_the_device_not_the_session(make_request, user, device):
    session = SessionStore()
    # A forged or stale entry claiming a hardware key.
    session[VERIFICATIONS_SESSION_KEY] = [{"d": device.persistent_id, "k": "hwk", "t": time.time()}]
    request = make_request(user, session)
    assert request.otp.factors == {"otp"}
    assert not request.otp.satisfies(Policy(level=AAL3))


def test_legacy_django_otp_key_alone_is_honoured(make_request, user, device):
    session = SessionStore()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request = make_request(user, session)
    assert request.user.is_verified()
    assert request.user.otp_device.pk == device.pk
    assert request.otp.factors == {"otp"}
    # Its time is unknown, so it never satisfies a maximum age.
    assert not request.otp.satisfies(Policy(max_age=3600))


def test_legacy_key_of_a_missing_device_is_ignored(make_request, user):
    session = SessionStore()
    session[DEVICE_ID_SESSION_KEY] = "otp_example.exampledevice/424242"
    assert not make_request(user, session).user.is_verified()


@pytest.mark.parametrize(
    "raw",
    [
        "not a list",
        [{"d": "x"}],
        [{"d": "otp_example.exampledevice/1", "k": "otp", "t": "soon"}],
        [None, 3, "text"],
        {"d": "a", "k": "b", "t": 1},
    ],
)
def test_malformed_session_entries_are_dropped(raw, make_request, user):
    session = SessionStore()
    session[VERIFICATIONS_SESSION_KEY] = raw
    assert stored_verifications(session) == []
    assert not make_request(user, session).user.is_verified()


def test_verification_age():
    assert Verification("x/1", "otp", 100.0).age(now=160.0) == 60.0
    assert Verification("x/1", "otp", time.time() - 5).age() == pytest.approx(5, abs=1)


def test_state_is_lazy_and_cached(django_assert_num_queries, make_request, user, device):
    request = _verified_request(make_request, user, device)
    assert "not loaded" in repr(request.otp)
    with django_assert_num_queries(1):
        assert request.user.is_verified()
        assert request.user.otp_device.pk == device.pk
        assert request.otp.factors == {"otp"}
    assert "1 verified" in repr(request.otp)
    request.otp.invalidate()
    with django_assert_num_queries(1):
        assert request.otp.is_verified()


def test_user_wrapper_passes_everything_else_through(make_request, user):
    request = make_request(user)
    assert request.user.pk == user.pk
    assert request.user.get_username() == "alice"
    assert request.user.is_authenticated
    assert isinstance(request.otp, OTPState)

"""Queries built once (``otp_core.built_queries``): the same answers as the ORM's.

The device query behind ``is_verified()``, a user's device list, and the
device and account rows locked to check a code. Each test runs on the built
query and on the ORM query built every time (the ``path`` fixture).
"""

from __future__ import annotations

import weakref
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections, transaction
from django.db.transaction import TransactionManagementError
from django.test import RequestFactory
from django.utils import timezone
from otp_example.models import ExampleDevice, HardwareExampleDevice

from otp_core import account_throttle, browsers, built_queries, device_query
from otp_core.auth import devices_for_user
from otp_core.listing import forget_listings
from otp_core.models import AccountThrottle, DeviceManager, SignedInBrowser
from otp_core.verification import device_to_verify, locked

from .conftest import make_device

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(built_queries, "_BUILT", weakref.WeakKeyDictionary())


def _built():
    """What was built on this thread's connection."""
    return built_queries._BUILT.get(connections["default"], {})


@pytest.fixture(params=["prepared", "orm"])
def path(request, monkeypatch):
    """Each test runs on the SQL built once, then on the ORM query built every time."""
    if request.param == "orm":
        monkeypatch.setattr(built_queries, "_build", lambda *args: None)
    return request.param


@pytest.fixture
def signed_in(user):
    """A signed-in browser row of ``user``: its digest."""
    request = RequestFactory().get("/")
    request.session = SessionStore()
    user.set_password("secret")
    user.save()
    auth_login(request, authenticate(request, username=user.get_username(), password="secret"))
    browsers.flush(request)
    return browsers.digest(browsers.session_secret(request.session))


def test_only_the_users_confirmed_devices_count(path, user, other_user, device, hw_device):
    unconfirmed = make_device(user, confirmed=False)
    theirs = make_device(other_user)
    gone = make_device(user)
    gone_id = gone.persistent_id
    gone.delete()
    ids = [
        device.persistent_id,
        device.persistent_id,  # twice: one id in the query
        hw_device.persistent_id,
        unconfirmed.persistent_id,
        theirs.persistent_id,
        gone_id,
        "otp_example.exampledevice/not-a-number",  # this model's query is skipped
        "no_such.model/1",
        "password",
    ]
    found, state = device_query.load_devices(ids[:6] + ids[7:], user.pk)
    assert found == {device.persistent_id: device, hw_device.persistent_id: hw_device}
    assert state is device_query.UNKNOWN  # no browser asked about
    found, _ = device_query.load_devices(ids, user.pk)
    assert found == {hw_device.persistent_id: hw_device}
    assert isinstance(found[hw_device.persistent_id], HardwareExampleDevice)
    # The key stays sealed until read, as with a queryset.
    assert found[hw_device.persistent_id].key == hw_device.key


def test_the_browser_rows_state_comes_with_the_devices(path, user, device, signed_in):
    load = device_query.load_devices
    assert load([device.persistent_id], user.pk, signed_in)[1] is False  # seen just now
    earlier = timezone.now() - timedelta(seconds=browsers.SEEN_INTERVAL + 5)
    SignedInBrowser.objects.filter(key_digest=signed_in).update(last_seen_at=earlier)
    assert load([device.persistent_id], user.pk, signed_in)[1] is True  # due for a refresh
    assert browsers.row_state(signed_in, user.pk) is True  # the same answer on its own
    SignedInBrowser.objects.filter(key_digest=signed_in).update(signed_in=False)
    assert load([device.persistent_id], user.pk, signed_in)[1] is None
    assert browsers.row_state(signed_in, user.pk) is None
    assert load([device.persistent_id], user.pk, "0" * 64)[1] is None
    # No device row came back: the caller asks about the row on its own.
    assert load(["otp_example.exampledevice/999999"], user.pk, signed_in)[1] is device_query.UNKNOWN


def test_the_sql_is_built_once_per_model_and_count(monkeypatch, user, device, signed_in):
    built = []
    build = built_queries._build
    monkeypatch.setattr(built_queries, "_build", lambda *a: built.append(a[0].model) or build(*a))
    for _ in range(3):
        found, state = device_query.load_devices([device.persistent_id], user.pk, signed_in)
        assert list(found) == [device.persistent_id]
        assert state is False
    second = make_device(user)
    for _ in range(2):
        found, _ = device_query.load_devices([device.persistent_id, second.persistent_id], user.pk)
        assert set(found) == {device.persistent_id, second.persistent_id}
    assert built == [ExampleDevice, ExampleDevice]  # (1 id, browser), (2 ids, none)
    # This Django and database take the built SQL: the ORM is not asked again.
    assert len(_built()) == 2
    assert all(entry is not None for entry in _built().values())


def test_a_manager_with_its_own_filter_keeps_the_orm_query(monkeypatch, user, device):
    """SQL holding values other than the ids would be frozen: such a model is not built once."""
    original = DeviceManager.get_queryset
    monkeypatch.setattr(
        DeviceManager, "get_queryset", lambda self: original(self).exclude(name="retired")
    )
    found, _ = device_query.load_devices([device.persistent_id], user.pk)
    assert list(found) == [device.persistent_id]
    assert list(_built().values()) == [None]
    ExampleDevice.objects.filter(pk=device.pk).update(name="retired")
    assert device_query.load_devices([device.persistent_id], user.pk)[0] == {}


# -- a user's device list -------------------------------------------------------------


def test_a_users_devices_in_registry_then_creation_order(path, user, other_user, device, hw_device):
    later = make_device(user)
    unconfirmed = make_device(user, confirmed=False)
    make_device(other_user)
    listed = devices_for_user(user)
    assert listed == [device, later, hw_device]
    assert [type(d) for d in listed] == [ExampleDevice, ExampleDevice, HardwareExampleDevice]
    assert listed[0].key == device.key  # the secret opens when read
    assert devices_for_user(user, confirmed=None) == [device, later, unconfirmed, hw_device]
    assert devices_for_user(user, confirmed=False) == [unconfirmed]


# -- the rows locked to check a code --------------------------------------------------


def test_the_locked_device_is_the_users_confirmed_row(path, user, other_user, device):
    theirs = make_device(other_user)
    with transaction.atomic():
        current = locked(device)
        assert current == device
        assert current is not device
        assert current.key == device.key
        named = device_to_verify(device.persistent_id, user)
        assert locked(named) == device
        assert named.name == device.name  # the caller's object filled from the locked row
        with pytest.raises(ExampleDevice.DoesNotExist):
            locked(device_to_verify(theirs.persistent_id, user))
        ExampleDevice.objects.filter(pk=device.pk).update(confirmed=False)
        with pytest.raises(ExampleDevice.DoesNotExist):
            locked(device_to_verify(device.persistent_id, user))
        assert locked(device) == device  # no expectation given: the row as it is


def test_the_locked_account_row(path, user, other_user):
    alias = account_throttle.database()
    with transaction.atomic(using=alias):
        assert account_throttle.locked_row(user.pk, using=alias) is None
        AccountThrottle.objects.create(user=other_user, failure_count=3)
        row = account_throttle.locked_row(other_user.pk, using=alias)
        assert row.user_id == other_user.pk
        assert row.failure_count == 3


@pytest.mark.django_db(transaction=True)  # really outside any transaction
def test_locking_outside_a_transaction_is_refused_as_by_the_orm(path, user, device):
    if connections["default"].features.has_select_for_update:
        for _ in range(2):  # built, then from what was built
            with pytest.raises(TransactionManagementError):
                locked(device)
    else:  # SQLite: no row locks; the device's write takes the database lock
        assert locked(device) == device


def test_every_query_of_a_sign_in_is_built_once(user, device, signed_in):
    """On this Django and database the built queries hold: none falls back to the ORM."""
    with transaction.atomic():
        locked(device_to_verify(device.persistent_id, user))
        account_throttle.locked_row(user.pk, using="default")
    devices_for_user(user)
    device_query.load_devices([device.persistent_id], user.pk, signed_in)
    built = _built()
    assert {key[0] for key in built} == {
        "locked device",
        "locked account row",
        "devices of a user",
        "devices by id",
    }
    assert None not in built.values()


def test_a_models_own_device_listing_is_asked_as_it_is(monkeypatch, user, device):
    class Retiring(DeviceManager):
        def devices_for_user(self, user, confirmed=True):
            return super().devices_for_user(user, confirmed).exclude(name="retired")

    manager = Retiring()
    manager.model = ExampleDevice
    manager.name = "objects"
    monkeypatch.setitem(ExampleDevice._meta.__dict__, "default_manager", manager)
    assert devices_for_user(user) == [device]
    ExampleDevice.objects.filter(pk=device.pk).update(name="retired")
    forget_listings()  # update() sends no signal
    assert devices_for_user(user) == []
    assert not any(key[1] is ExampleDevice for key in _built() if key[0] == "devices of a user")

"""The device query behind ``is_verified()``: built once, same answers as the ORM's."""

from __future__ import annotations

import weakref
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections
from django.test import RequestFactory
from django.utils import timezone
from otp_example.models import ExampleDevice, HardwareExampleDevice

from otp_core import browsers, device_query
from otp_core.models import DeviceManager, SignedInBrowser

from .conftest import make_device

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(device_query, "_BUILT", weakref.WeakKeyDictionary())


def _built():
    """What was built on this thread's connection."""
    return device_query._BUILT.get(connections["default"], {})


@pytest.fixture(params=["prepared", "orm"])
def path(request, monkeypatch):
    """Each test runs on the SQL built once, then on the ORM query built every time."""
    if request.param == "orm":
        monkeypatch.setattr(device_query, "_build", lambda *args: None)
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
    build = device_query._build
    monkeypatch.setattr(device_query, "_build", lambda *a: built.append(a[0]) or build(*a))
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

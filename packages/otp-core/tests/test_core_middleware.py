"""OTPMiddleware through the test client: meaning and cost of request.user / request.otp.

This module is also the URLconf of its tests (tiny views below).
"""

from __future__ import annotations

import json
import sys

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.views.decorators.http import require_POST

import otp_core
from otp_core.middleware import OTPUser
from otp_core.models import Device
from otp_core.policy import AAL3, Policy

pytestmark = pytest.mark.django_db

MIDDLEWARE_PATH = "otp_core.middleware.OTPMiddleware"


def plain(request):
    # Uses the user, never asks about the second factor.
    return HttpResponse(request.user.get_username())


def verified(request):
    return HttpResponse("yes" if request.user.is_verified() else "no")


def state(request):
    device = request.user.otp_device
    return JsonResponse(
        {
            "verified": request.user.is_verified(),
            "device": device.persistent_id if device else None,
            "factors": sorted(request.otp.factors),
            "age": request.otp.age(),
            "hwk_recent": request.otp.satisfies(Policy(factors="hwk", max_age=60)),
            "aal3": request.otp.satisfies(Policy(level=AAL3)),
            "wrapped": isinstance(request.user, OTPUser),
        }
    )


@require_POST
def otp_verify(request):
    device = Device.from_persistent_id(request.POST["device"])
    if device is None or device.user_id != request.user.pk:
        return HttpResponse("no device", status=400)
    if not device.verify_token(request.POST["token"], request=request):
        return HttpResponse("refused", status=403)
    otp_core.login(request, device)
    return HttpResponse("verified")


urlpatterns = [
    path("plain/", plain),
    path("verified/", verified),
    path("state/", state),
    path("otp-verify/", otp_verify),
]


@pytest.fixture
def urls(settings):
    settings.ROOT_URLCONF = sys.modules[__name__]


@pytest.fixture
def logged_in(client, user, urls):
    client.force_login(user)
    return client


def _verify(client, device, code):
    return client.post("/otp-verify/", {"device": device.persistent_id, "token": code})


def _state(client):
    response = client.get("/state/")
    assert response.status_code == 200
    return json.loads(response.content)


def test_verifying_through_a_view(logged_in, device, otp_code):
    assert _state(logged_in)["verified"] is False
    old_key = logged_in.cookies["sessionid"].value
    response = _verify(logged_in, device, otp_code(device))
    assert response.status_code == 200
    assert response.content == b"verified"
    new_key = logged_in.cookies["sessionid"].value
    assert new_key != old_key
    assert not SessionStore().exists(old_key)
    data = _state(logged_in)
    assert data["verified"] is True
    assert data["device"] == device.persistent_id
    # The password sign-in is recorded too (kind "pwd").
    assert data["factors"] == ["otp", "pwd"]
    assert 0 <= data["age"] < 60
    assert data["hwk_recent"] is False
    assert data["aal3"] is False
    assert data["wrapped"] is True


def test_old_session_key_is_no_longer_valid(logged_in, device, otp_code):
    old_key = logged_in.cookies["sessionid"].value
    _verify(logged_in, device, otp_code(device))
    thief = Client()
    thief.cookies["sessionid"] = old_key
    assert thief.get("/plain/").content == b""  # anonymous: empty user name


def test_step_up_with_a_hardware_key(logged_in, device, hw_device, otp_code):
    _verify(logged_in, device, otp_code(device))
    _verify(logged_in, hw_device, otp_code(hw_device))
    data = _state(logged_in)
    assert data["device"] == hw_device.persistent_id
    assert data["factors"] == ["hwk", "otp", "pwd"]
    assert data["hwk_recent"] is True
    assert data["aal3"] is True


def test_replayed_code_does_not_verify(logged_in, device, otp_code):
    code = otp_code(device)
    assert _verify(logged_in, device, code).status_code == 200
    logged_in.logout()
    logged_in.force_login(device.user)
    assert _verify(logged_in, device, code).status_code == 403
    assert _state(logged_in)["verified"] is False


def test_deleting_the_device_unverifies_the_session(logged_in, device, otp_code):
    _verify(logged_in, device, otp_code(device))
    assert _state(logged_in)["verified"] is True
    device.delete()
    assert _state(logged_in)["verified"] is False


def test_unconfirming_the_device_unverifies_the_session(logged_in, device, otp_code):
    _verify(logged_in, device, otp_code(device))
    type(device).objects.filter(pk=device.pk).update(confirmed=False)
    assert _state(logged_in)["verified"] is False


def test_session_of_another_user_keeps_no_verification(logged_in, other_user, device, otp_code):
    _verify(logged_in, device, otp_code(device))
    # The same session data on bob's login: alice's device does not count.
    session = logged_in.session
    session["_auth_user_id"] = str(other_user.pk)
    session["_auth_user_hash"] = other_user.get_session_auth_hash()
    session.save()
    assert logged_in.get("/plain/").content == b"bob"
    assert _state(logged_in)["verified"] is False


def test_legacy_session_key_through_the_client(logged_in, device):
    session = logged_in.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    data = _state(logged_in)
    assert data["verified"] is True
    assert data["device"] == device.persistent_id


# -- what it costs ------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content


def _without_otp_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE_PATH]


@pytest.fixture
def verified_client(logged_in, device, hw_device, device_factory, otp_code):
    """Alice's session, verified by two ExampleDevices and a hardware device."""
    second = device_factory(device.user)
    for d in (device, second, hw_device):
        assert _verify(logged_in, d, otp_code(d)).status_code == 200
    return logged_in


def test_not_asking_costs_no_extra_query(settings, verified_client):
    with_otp, body = _count(verified_client, "/plain/")
    assert body == b"alice"
    _without_otp_middleware(settings)
    without_otp, body = _count(verified_client, "/plain/")
    assert body == b"alice"
    assert with_otp == without_otp
    assert with_otp == 2  # the session and the user, nothing more


def test_anonymous_request_costs_nothing_extra(settings, client, urls):
    with_otp, _ = _count(client, "/verified/")
    assert with_otp == 0


def test_asking_costs_exactly_one_query(logged_in, device, otp_code):
    _verify(logged_in, device, otp_code(device))
    plain_count, _ = _count(logged_in, "/plain/")
    asked_count, body = _count(logged_in, "/verified/")
    assert body == b"yes"
    assert asked_count == plain_count + 1


def test_two_devices_of_one_model_cost_one_query(logged_in, device, device_factory, otp_code):
    second = device_factory(device.user)
    _verify(logged_in, device, otp_code(device))
    _verify(logged_in, second, otp_code(second))
    session = logged_in.session
    assert [v["k"] for v in session["otp_verifications"]] == ["pwd", "otp", "otp"]
    plain_count, _ = _count(logged_in, "/plain/")
    asked_count, body = _count(logged_in, "/verified/")
    assert body == b"yes"
    assert asked_count == plain_count + 1


def test_unverified_session_asking_costs_one_query(logged_in, device):
    # No device to load: the one query checks this browser's signed-in row.
    plain_count, _ = _count(logged_in, "/plain/")
    asked_count, body = _count(logged_in, "/verified/")
    assert body == b"no"
    assert asked_count == plain_count + 1


def test_full_state_view_costs_one_query_per_device_model(verified_client):
    plain_count, _ = _count(verified_client, "/plain/")
    asked_count, _ = _count(verified_client, "/state/")
    # ExampleDevice (two devices) and HardwareExampleDevice: two models.
    assert asked_count == plain_count + 2

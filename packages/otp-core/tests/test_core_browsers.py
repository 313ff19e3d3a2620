"""Signed-in browsers: the server-side row each signed-in session refers to.

This module is also the URLconf of its tests (tiny views below).
"""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_logged_out
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

import otp_core
from otp_core import browsers, signals
from otp_core.browsers import BROWSER_SESSION_KEY, browsers_for, digest, ip_prefix
from otp_core.models import Device, SignedInBrowser
from otp_core.removal import disable_two_factor, remove_device

pytestmark = pytest.mark.django_db

TABLE = SignedInBrowser._meta.db_table
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def plain(request):
    return HttpResponse(request.user.get_username())


def verified(request):
    return HttpResponse("yes" if request.user.is_verified() else "no")


@require_POST
def sign_in(request):
    """Password and second factor in one response, as a one-page sign-in does."""
    user = authenticate(request, username=request.POST["username"], password="secret")
    if user is None:
        return HttpResponse("refused", status=403)
    auth_login(request, user)
    device = Device.from_persistent_id(request.POST["device"])
    if not device.verify_token(request.POST["token"], request=request):
        return HttpResponse("refused", status=403)
    otp_core.login(request, device)
    return HttpResponse("in")


@require_POST
def otp_verify(request):
    device = Device.from_persistent_id(request.POST["device"])
    if not device.verify_token(request.POST["token"], request=request):
        return HttpResponse("refused", status=403)
    otp_core.login(request, device)
    return HttpResponse("verified")


urlpatterns = [
    path("plain/", plain),
    path("verified/", verified),
    path("sign-in/", sign_in),
    path("otp-verify/", otp_verify),
]


@pytest.fixture(autouse=True)
def urls(settings):
    settings.ROOT_URLCONF = sys.modules[__name__]


@pytest.fixture
def password_user(user):
    user.set_password("secret")
    user.save()
    return user


def _row(client):
    secret = client.session[BROWSER_SESSION_KEY]
    return SignedInBrowser.objects.get(key_digest=digest(secret))


def _verify(client, device, code):
    response = client.post("/otp-verify/", {"device": device.persistent_id, "token": code})
    assert response.status_code == 200
    return response


def _writes(ctx):
    """Statements that wrote to the signed-in browser table."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if TABLE in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


# -- a sign-in makes a row, written once ------------------------------------------


def test_a_sign_in_writes_its_row_once(client, password_user, device, otp_code):
    client.defaults["HTTP_USER_AGENT"] = FIREFOX
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            "/sign-in/",
            {"username": "alice", "device": device.persistent_id, "token": otp_code(device)},
        )
    assert response.content == b"in"
    [write] = _writes(ctx)
    assert write.lstrip().upper().startswith("INSERT")
    row = _row(client)
    assert row.user == password_user
    assert row.signed_in
    assert row.user_agent == "Firefox on Linux"
    assert row.ip_prefix == "127.0.0.0/24"
    assert [(v["d"], v["k"]) for v in row.verifications] == [
        ("password", "pwd"),
        (device.persistent_id, "otp"),
    ]
    # Only the digest of the session's id is stored.
    assert client.session[BROWSER_SESSION_KEY] not in row.key_digest
    assert row.password_stamp == browsers.password_stamp(password_user)


def test_a_later_verification_updates_the_copy(client, user, device, hw_device, otp_code):
    client.force_login(user)
    row = _row(client)
    assert [v["k"] for v in row.verifications] == ["pwd"]
    with CaptureQueriesContext(connection) as ctx:
        _verify(client, hw_device, otp_code(hw_device))
    [write] = _writes(ctx)
    assert write.lstrip().upper().startswith("UPDATE")
    row.refresh_from_db()
    assert [v["k"] for v in row.verifications] == ["pwd", "hwk"]
    assert _row(client).pk == row.pk  # the same browser: the same row


def test_each_sign_in_gets_its_own_row(user, device):
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(user)
    assert SignedInBrowser.objects.filter(user=user).count() == 2
    assert _row(first).pk != _row(second).pk


# -- signing a browser out ------------------------------------------------------


def test_a_deleted_row_signs_the_browser_out(client, user, device, otp_code):
    client.force_login(user)
    _verify(client, device, otp_code(device))
    assert client.get("/verified/").content == b"yes"
    ended = []
    user_logged_out.connect(lambda **kw: ended.append(kw["user"]), weak=False, dispatch_uid="t")
    try:
        assert browsers.sign_out(user, _row(client).pk)
        # A page that never asks about two-factor costs no query, so it cannot notice...
        assert client.get("/plain/").content == b"alice"
        # ...the first that asks does: nothing is verified and the session ends.
        assert client.get("/verified/").content == b"no"
        assert ended == [user]
        assert client.get("/plain/").content == b""  # anonymous now
    finally:
        user_logged_out.disconnect(dispatch_uid="t")
    assert not browsers.sign_out(user, 0)


def test_signing_out_only_ones_own_browsers(client, user, other_user, device, otp_code):
    client.force_login(user)
    theirs = Client()
    theirs.force_login(other_user)
    assert not browsers.sign_out(user, _row(theirs).pk)
    assert SignedInBrowser.objects.filter(user=other_user).exists()


def test_the_check_costs_no_extra_query(client, user, device, otp_code):
    client.force_login(user)
    _verify(client, device, otp_code(device))
    client.get("/verified/")
    with CaptureQueriesContext(connection) as plain_ctx:
        client.get("/plain/")
    with CaptureQueriesContext(connection) as asked_ctx:
        assert client.get("/verified/").content == b"yes"
    assert len(asked_ctx.captured_queries) == len(plain_ctx.captured_queries) + 1


def test_a_deleted_device_costs_a_second_query_only_then(client, user, device, otp_code):
    client.force_login(user)
    _verify(client, device, otp_code(device))
    type(device).objects.filter(pk=device.pk).delete()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/verified/").content == b"no"
    selects = [q for q in ctx.captured_queries if TABLE in q["sql"]]
    assert len(selects) == 2  # the device query (with the row), then the row alone
    assert client.get("/plain/").content == b"alice"  # still signed in with the password


def test_signed_cookie_sessions_are_checked_too(settings, user, device, otp_code):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    browser = Client()
    browser.force_login(user)
    _verify(browser, device, otp_code(device))
    stolen = browser.cookies["sessionid"].value
    assert browser.get("/verified/").content == b"yes"
    # Signing out cannot revoke a signed cookie; deleting its row does.
    browser.logout()
    assert not SignedInBrowser.objects.filter(user=user).exists()
    replay = Client()
    replay.cookies["sessionid"] = stolen
    assert replay.get("/plain/").content == b"alice"  # Django alone still trusts it
    assert replay.get("/verified/").content == b"no"
    assert replay.get("/plain/").content == b""


def test_a_session_from_before_rows_gets_one(client, user, device, otp_code):
    client.force_login(user)
    _verify(client, device, otp_code(device))
    SignedInBrowser.objects.all().delete()
    session = client.session
    del session[BROWSER_SESSION_KEY]
    session.save()
    assert client.get("/verified/").content == b"yes"
    row = _row(client)
    assert [v["d"] for v in row.verifications][-1] == device.persistent_id


@pytest.mark.parametrize("broken", [None, "", 7, ["x"], {"a": 1}])
def test_a_broken_browser_id_is_signed_out(client, user, device, otp_code, broken):
    client.force_login(user)
    _verify(client, device, otp_code(device))
    session = client.session
    session[BROWSER_SESSION_KEY] = broken
    session.save()
    assert client.get("/verified/").content == b"no"
    assert client.get("/plain/").content == b""


def test_last_seen_is_refreshed_every_few_minutes(client, user, device, otp_code):
    client.force_login(user)
    _verify(client, device, otp_code(device))
    row = _row(client)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/verified/")
    assert _writes(ctx) == []  # seen a moment ago: no write
    earlier = timezone.now() - timedelta(seconds=browsers.SEEN_INTERVAL + 5)
    SignedInBrowser.objects.filter(pk=row.pk).update(last_seen_at=earlier)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/verified/")
    assert len(_writes(ctx)) == 1
    row.refresh_from_db()
    assert row.last_seen_at > earlier + timedelta(seconds=5)


# -- signing out here -------------------------------------------------------------


def test_signing_out_deletes_the_row(client, user):
    client.force_login(user)
    row = _row(client)
    client.logout()
    assert not SignedInBrowser.objects.filter(pk=row.pk).exists()


def test_a_remembered_row_outlives_its_session(client, user, device, otp_code):
    client.force_login(user)
    _verify(client, device, otp_code(device))
    row = _row(client)
    SignedInBrowser.objects.filter(pk=row.pk).update(
        remembered_at=timezone.now(), remembered_device_id=device.persistent_id
    )
    client.logout()
    row.refresh_from_db()
    assert not row.signed_in
    assert row.verifications == []


def test_signing_in_again_replaces_the_row(client, user):
    client.force_login(user)
    first = _row(client)
    client.force_login(user)  # Django keeps the session data for the same user
    second = _row(client)
    assert second.pk != first.pk
    assert not SignedInBrowser.objects.filter(pk=first.pk).exists()


# -- what changes elsewhere reaches every browser -------------------------------


def test_a_removed_device_drops_out_of_every_copy(user, device, hw_device, otp_code):
    here, there = Client(), Client()
    for browser in (here, there):
        browser.force_login(user)
    _verify(here, device, otp_code(device))
    device.refresh_from_db()  # its counter moved on
    _verify(there, device, otp_code(device))
    _verify(there, hw_device, otp_code(hw_device))
    remove_device(device)
    for browser, kinds in ((here, ["pwd"]), (there, ["pwd", "hwk"])):
        assert [v["k"] for v in _row(browser).verifications] == kinds
    assert there.get("/verified/").content == b"yes"
    assert here.get("/verified/").content == b"no"


def test_turning_two_factor_off_drops_every_device_verification(user, device, otp_code):
    browser = Client()
    browser.force_login(user)
    _verify(browser, device, otp_code(device))
    row = _row(browser)
    SignedInBrowser.objects.filter(pk=row.pk).update(
        remembered_at=timezone.now(), remembered_device_id=device.persistent_id
    )
    seen = []
    signals.two_factor_disabled.connect(lambda **kw: seen.append(1), weak=False, dispatch_uid="t")
    try:
        disable_two_factor(user)
    finally:
        signals.two_factor_disabled.disconnect(dispatch_uid="t")
    row.refresh_from_db()
    assert seen == [1]
    assert [v["k"] for v in row.verifications] == ["pwd"]
    assert row.remembered_at is None
    assert row.remembered_device_id == ""


def test_a_password_change_makes_other_rows_stale(rf, user, device):
    here, there = Client(), Client()
    here.force_login(user)
    there.force_login(user)
    SignedInBrowser.objects.filter(pk=_row(there).pk).update(remembered_at=timezone.now())
    user.set_password("a new password")
    user.save()
    # Django ends the other sessions (their auth hash no longer matches)...
    assert there.get("/plain/").content == b""
    # ...and the account page lists only this browser (kept: it survived the change).
    request = rf.get("/")
    request.session = here.session
    listed = browsers_for(request, user, remember_age=3600)
    assert [(row.current, row.password_stamp) for row in listed] == [
        (True, browsers.password_stamp(user))
    ]
    assert SignedInBrowser.objects.filter(user=user).count() == 1


# -- the account page's list --------------------------------------------------------


def test_browsers_for_lists_this_one_first_and_drops_ended_sessions(
    rf, settings, user, device, otp_code
):
    old, other, here = Client(), Client(), Client()
    for browser in (old, other, here):
        browser.force_login(user)
    _verify(other, device, otp_code(device))
    old_pk, other_pk, here_pk = (_row(b).pk for b in (old, other, here))
    ended = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    SignedInBrowser.objects.filter(pk=old_pk).update(last_seen_at=ended)
    remembered = SignedInBrowser.objects.create(
        user=user,
        key_digest="r" * 64,
        signed_in=False,
        remembered_at=timezone.now() - timedelta(minutes=5),
        remembered_device_id=device.persistent_id,
    )
    expired = SignedInBrowser.objects.create(
        user=user,
        key_digest="e" * 64,
        signed_in=False,
        remembered_at=timezone.now() - timedelta(hours=2),
    )
    request = rf.get("/")
    request.session = here.session
    listed = browsers_for(request, user, remember_age=3600)
    assert listed[0].pk == here_pk
    assert {row.pk for row in listed} == {here_pk, other_pk, remembered.pk}
    assert not SignedInBrowser.objects.filter(pk__in=[old_pk, expired.pk]).exists()
    by_pk = {row.pk: row for row in listed}
    assert [kind for _d, kind, _at in by_pk[other_pk].factors] == ["pwd", "otp"]
    assert by_pk[remembered.pk].remembered
    assert not by_pk[remembered.pk].signed_in
    assert by_pk[remembered.pk].factors == []


@pytest.mark.parametrize(
    ("remote", "prefix"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("", ""),
        ("not an address", ""),
        ("10.0.0.1, 10.0.0.2", ""),
    ],
)
def test_ip_prefix(rf, remote, prefix):
    assert ip_prefix(rf.get("/", REMOTE_ADDR=remote)) == prefix


def test_the_forwarded_header_is_not_trusted(rf):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert ip_prefix(request) == "127.0.0.0/24"


# -- the admin ----------------------------------------------------------------------


@pytest.fixture
def admin_client(django_user_model):
    import time

    from otp_example.models import ExampleDevice

    from otp_core.session import record_verification

    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    browser = Client()
    browser.force_login(admin)
    session = browser.session
    key = ExampleDevice.objects.create(user=admin, name="admin key", key="31" * 20)
    record_verification(session, key, at=time.time())
    session.save()
    return browser


def test_the_admin_lists_browsers_and_deleting_signs_out(settings, admin_client, user):
    settings.ROOT_URLCONF = "test_project.urls"
    victim = Client()
    victim.force_login(user)
    row = _row(victim)
    url = "/admin/otp_core/signedinbrowser/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2  # alice's and the admin's own
    assert admin_client.get(f"{url}add/").status_code == 403
    page = admin_client.get(f"{url}{row.pk}/change/")
    assert page.status_code == 200
    assert b'name="user_agent"' not in page.content  # read-only
    response = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not SignedInBrowser.objects.filter(pk=row.pk).exists()
    settings.ROOT_URLCONF = sys.modules[__name__]
    assert victim.get("/verified/").content == b"no"
    assert victim.get("/plain/").content == b""

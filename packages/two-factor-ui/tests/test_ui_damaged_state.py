"""Damaged wizard state in a session and bad device ids: a clean restart, never a 500.

A session outlives deployments (an older version's layout), and a session
store may be shared or tampered with: whatever the wizards find under their
keys, the next request starts over (a page or a redirect).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from otp_core.testing import hostile_ids

pytestmark = pytest.mark.django_db

LOGIN_KEY = "wizard_login_view"
SETUP_KEY = "wizard_setup_view"
BACKUP_KEY = "two_factor_ui_backup"


def wizard(step="token", extra=None, **fields):
    data = {"step": step, "step_data": {}, "step_files": {}, "extra_data": extra or {}}
    data.update(fields)
    return data


def login_extra(user, dev, **changes):
    extra = {
        "user_pk": user.pk,
        "backend": "django.contrib.auth.backends.ModelBackend",
        "auth_time": 1e12,
        "device": dev.persistent_id,
        "has_backup": False,
        "use_backup": False,
        "remembered": "",
        "challenged": "",
        "next": "",
        "done_steps": ["auth"],
    }
    extra.update(changes)
    return extra


def put(client, key, value):
    session = client.session
    session[key] = value
    session.save()


LOGIN_GARBAGE = [
    ("list", lambda u, d: []),
    ("text", lambda u, d: "token"),
    ("number", lambda u, d: 7),
    ("no-keys", lambda u, d: {}),
    ("step-number", lambda u, d: wizard(step=5, extra=login_extra(u, d))),
    ("step-unknown", lambda u, d: wizard(step="nonexistent", extra=login_extra(u, d))),
    ("step-data-list", lambda u, d: wizard(extra=login_extra(u, d), step_data=[])),
    ("step-data-inner-list", lambda u, d: wizard(extra=login_extra(u, d), step_data={"auth": []})),
    ("step-files-text", lambda u, d: wizard(extra=login_extra(u, d), step_files="x")),
    ("extra-list", lambda u, d: wizard(extra=[])),
    ("extra-as-list", lambda u, d: {**wizard(), "extra_data": ["user_pk"]}),
    ("user-text", lambda u, d: wizard(extra=login_extra(u, d, user_pk="abc"))),
    ("user-huge", lambda u, d: wizard(extra=login_extra(u, d, user_pk=2**70))),
    ("user-huge-text", lambda u, d: wizard(extra=login_extra(u, d, user_pk=str(10**30)))),
    ("user-list", lambda u, d: wizard(extra=login_extra(u, d, user_pk=[1]))),
    ("backend-list", lambda u, d: wizard(extra=login_extra(u, d, backend=["x"]))),
    ("backend-unknown", lambda u, d: wizard(extra=login_extra(u, d, backend="no.such.Backend"))),
    ("time-text", lambda u, d: wizard(extra=login_extra(u, d, auth_time="yesterday"))),
    ("time-list", lambda u, d: wizard(extra=login_extra(u, d, auth_time=[1]))),
    ("time-nan", lambda u, d: wizard(extra=login_extra(u, d, auth_time="nan"))),
    ("device-dict", lambda u, d: wizard(extra=login_extra(u, d, device={"a": 1}))),
    ("device-huge", lambda u, d: wizard(extra=login_extra(u, d, device=f"x.y/{2**70}"))),
    ("device-unknown-plugin", lambda u, d: wizard(extra=login_extra(u, d, device="nope.dev/1"))),
    ("done-text", lambda u, d: wizard(extra=login_extra(u, d, done_steps="auth"))),
    ("done-dict", lambda u, d: wizard(extra=login_extra(u, d, done_steps={"auth": 1}))),
    ("done-numbers", lambda u, d: wizard(extra=login_extra(u, d, done_steps=[1, None]))),
    ("next-list", lambda u, d: wizard(extra=login_extra(u, d, next=["/"]))),
    ("remembered-list", lambda u, d: wizard(extra=login_extra(u, d, remembered=[1]))),
    ("challenged-dict", lambda u, d: wizard(extra=login_extra(u, d, challenged={}))),
    ("backup-step", lambda u, d: wizard(step="backup", extra=login_extra(u, d, has_backup="y"))),
]


@pytest.mark.parametrize(("label", "make"), LOGIN_GARBAGE, ids=[g[0] for g in LOGIN_GARBAGE])
def test_damaged_login_wizard_restarts(
    client, user, example_device, login_flow, code_for, label, make
):
    put(client, LOGIN_KEY, make(user, example_device))
    assert login_flow.token("").status_code == 200
    put(client, LOGIN_KEY, make(user, example_device))
    assert login_flow.start().status_code == 200
    put(client, LOGIN_KEY, make(user, example_device))
    login_flow.password()
    # The restart leads to a working sign-in.
    assert login_flow.token(code_for(example_device)).status_code == 302


@pytest.mark.parametrize("bad", [v.value for v in hostile_ids()], ids=lambda v: v[:20])
def test_bad_challenge_device_ids_keep_the_token_step(
    client, user, example_device, login_flow, bad
):
    login_flow.password()
    for value in (bad, f"{example_device.model_label()}/{bad}", f"otp_example.nope/{bad}"):
        response = login_flow.post("token", challenge_device=value)
        assert response.status_code == 200
        assert response.context["device"] == example_device


SETUP_GARBAGE = [
    ("list", []),
    ("text", "welcome"),
    ("no-keys", {}),
    ("step-unknown", wizard(step="nonexistent")),
    ("step-plugin-index", wizard(step="example-9", extra={"method": "example", "state": {}})),
    ("step-unknown-plugin", wizard(step="nope-0", extra={"method": "nope", "state": {}})),
    ("step-number", wizard(step=3)),
    ("method-list", wizard(step="method", extra={"method": ["example"]})),
    ("state-list", wizard(step="example-0", extra={"method": "example", "state": []})),
    (
        "state-key-number",
        wizard(step="example-0", extra={"method": "example", "state": {"example_key": 5}}),
    ),
    (
        "state-oath-garbage",
        wizard(step="example-0", extra={"method": "example", "state": {"oath": ["x"]}}),
    ),
    ("return-list", wizard(step="welcome", extra={"return_to": ["/"]})),
    ("done-text", wizard(step="welcome", extra={"done_steps": "welcome"})),
    ("extra-list", wizard(step="welcome", extra=[])),
    ("step-data-list", wizard(step="welcome", step_data=[1])),
]


@pytest.mark.parametrize(("label", "value"), SETUP_GARBAGE, ids=[g[0] for g in SETUP_GARBAGE])
def test_damaged_setup_wizard_restarts(client, user, label, value):
    client.force_login(user)
    url = reverse("two_factor:setup")
    put(client, SETUP_KEY, value)
    posted = client.post(url, {"setup_view-current_step": "example-0", "example-0-token": "1"})
    assert posted.status_code in (200, 302)
    put(client, SETUP_KEY, value)
    assert client.post(url, {"setup_view-current_step": "welcome"}).status_code in (200, 302)
    put(client, SETUP_KEY, value)
    assert client.get(reverse("two_factor:qr")).status_code in (200, 404)
    put(client, SETUP_KEY, value)
    assert client.get(url).status_code == 200


BACKUP_GARBAGE = [
    [],
    "x",
    {"step": 0},
    {"step": True, "state": {}},
    {"step": "0", "state": {}},
    {"step": 0, "state": []},
    {"step": 0, "state": {"device": ["x"], "codes": 5}},
    {"step": 0, "state": {"otp_static": {"a": 1}, "static_device": 2**70}},
]


@pytest.mark.parametrize("value", BACKUP_GARBAGE, ids=repr)
def test_damaged_backup_state_restarts(client, user, example_device, login_flow, code_for, value):
    login_flow.password()
    login_flow.token(code_for(example_device))
    put(client, BACKUP_KEY, value)
    url = reverse("two_factor:backup_tokens")
    assert client.post(url, {"backup-token": "1"}).status_code in (200, 302, 400, 404)
    put(client, BACKUP_KEY, value)
    assert client.get(url).status_code in (200, 404)

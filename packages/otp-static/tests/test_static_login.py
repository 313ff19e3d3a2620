"""Done when: with only otp-core and otp-static, a backup code passes otp_required once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PROTECTED = "/protected/decorator/"


def login(client, token: str):
    return client.post(
        "/login/",
        {"username": "alice", "password": "correct horse", "otp_token": token},
    )


def test_a_backup_code_from_the_command_passes_otp_required_once(client, user, used_codes):
    out = StringIO()
    call_command("otp_static_addcodes", "alice", "--count", "3", stdout=out)
    code = out.getvalue().split()[0]

    assert client.get(PROTECTED).status_code == 302  # anonymous: to the login page

    response = login(client, code)
    assert response.status_code == 302, response.content.decode()[:2000]
    protected = client.get(PROTECTED)
    assert protected.status_code == 200
    assert protected.wsgi_request.user.is_verified()
    assert protected.wsgi_request.user.otp_device.factor_kind == "recovery"
    assert [e["remaining"] for e in used_codes] == [2]

    client.post("/logout/")
    refused = login(client, code)
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert client.get(PROTECTED).status_code == 302


def test_the_login_form_accepts_the_printed_spelling_in_upper_case(client, user):
    out = StringIO()
    call_command("otp_static_addcodes", "alice", "--count", "1", stdout=out)
    printed = out.getvalue().strip()
    assert "-" in printed
    assert login(client, printed.upper()).status_code == 302
    assert client.get(PROTECTED).status_code == 200

"""The examples of docs/otp-webauthn.rst and the README run as written."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.urls import include, path

from otp_webauthn.checks import check_backend, check_relying_party, check_settings

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "otp-webauthn.rst"


def python_blocks(text: str) -> list[str]:
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text)
    return [re.sub(r"^   ", "", block, flags=re.MULTILINE) for block in blocks]


def test_settings_example_passes_the_checks(settings):
    namespace = {"path": path, "include": include, "urlpatterns": []}
    exec(python_blocks(DOCS.read_text())[0], namespace)
    settings.DEBUG = False
    for name in ("OTP_WEBAUTHN_RP_ID", "OTP_WEBAUTHN_RP_NAME", "OTP_WEBAUTHN_ALLOWED_ORIGINS"):
        setattr(settings, name, namespace[name])
    settings.AUTHENTICATION_BACKENDS = namespace["AUTHENTICATION_BACKENDS"]
    assert check_relying_party() + check_settings() + check_backend() == []
    assert namespace["urlpatterns"][0].pattern.describe().startswith("'webauthn/'")


@pytest.mark.django_db
def test_step_up_example_wants_a_device_bound_key(rf, user, registered, client):
    namespace: dict = {"HttpResponse": HttpResponse}
    code = python_blocks(DOCS.read_text())[1].replace("...", "return HttpResponse('ok')")
    exec(code, namespace)
    view = namespace["wire_transfer"]
    from django.contrib.sessions.backends.db import SessionStore

    from otp_core.middleware import OTPMiddleware
    from otp_core.session import record_verification

    def call(backup_eligible: bool) -> int:
        registered.backup_eligible = backup_eligible
        registered.save()
        request = rf.get("/transfer/")
        request.session = SessionStore()
        record_verification(request.session, registered, at=time.time())
        request.user = user
        OTPMiddleware(lambda r: None)(request)
        return view(request).status_code

    assert call(False) == 200
    assert call(True) == 302

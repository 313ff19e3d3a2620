"""django-otp's session ids (otp_core.legacy) and the OTP_LEGACY_SESSIONS check."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks

from otp_core.legacy import SESSION_LABELS, _parse, adopt_legacy_session, imported_device
from otp_core.legacy_tables import CATALOGUE, by_session_label
from otp_core.testing import hostile_ids, hostile_values

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [True, False])
def test_setting_accepts_booleans(settings, value):
    settings.OTP_LEGACY_SESSIONS = value
    assert not [e for e in run_checks() if e.id == "otp_core.E040"]


@pytest.mark.parametrize("value", ["False", 0, None])
def test_setting_refuses_other_values(settings, value):
    settings.OTP_LEGACY_SESSIONS = value
    assert [e.id for e in run_checks() if e.id == "otp_core.E040"] == ["otp_core.E040"]


def test_parse_reads_both_forms_of_django_otp_ids():
    assert _parse("otp_totp.totpdevice/3") == ("otp_totp.totpdevice", 3)
    assert _parse("django_otp.plugins.otp_totp.models.TOTPDevice/3") == (
        "otp_totp.totpdevice",
        3,
    )
    assert by_session_label("phonenumber.phonedevice").table == "two_factor_phonedevice"
    assert by_session_label("otp_core_totp.totpdevice") is None  # ours, not a legacy id


def test_session_labels_are_the_catalogues():
    """The request path's copy of the labels (no catalogue import) matches the catalogue."""
    assert {label for entry in CATALOGUE for label in entry.session_labels} == SESSION_LABELS


@pytest.mark.parametrize("hostile", hostile_values() + hostile_ids(), ids=lambda h: h.label)
def test_hostile_session_values_name_no_device(user, hostile):
    for value in (hostile.value, f"otp_totp.totpdevice/{hostile.value}"):
        assert imported_device(value, user) is None
        session = {"otp_device_id": value}
        adopt_legacy_session(session, user, record=pytest.fail)
        assert session.get("otp_device_id") in (None, value)

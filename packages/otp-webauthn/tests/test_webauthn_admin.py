"""The admin lists keys with their flags; key material cannot be changed there."""

from __future__ import annotations

import pytest

from otp_webauthn.models import WebAuthnDevice

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/otp_core_webauthn/webauthndevice/"


@pytest.fixture
def admin_client(registered, client, verified_login):
    user = registered.user
    user.is_staff = user.is_superuser = True
    user.save()
    return verified_login(user, registered)


def test_changelist_shows_flags_aaguid_and_last_use(admin_client, registered):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Blue key", "device-bound key", "00000000-0000-0000-0000-000000000000"):
        assert text in content
    for column in ("last used at", "clone suspected", "synced passkey", "user verified"):
        assert column in content.lower()


def test_key_material_is_read_only(admin_client, registered):
    url = f"{CHANGELIST}{registered.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    original = (bytes(registered.public_key), bytes(registered.credential_id), registered.aaguid)
    response = admin_client.post(
        url,
        {
            "name": "Renamed",
            "confirmed": "on",
            "public_key": "00",
            "credential_id": "AAAA",
            "sign_count": "0",
            "aaguid": "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "backup_eligible": "on",
            "user": "999",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    registered.refresh_from_db()
    assert registered.name == "Renamed"
    assert (bytes(registered.public_key), bytes(registered.credential_id), registered.aaguid) == (
        original
    )
    assert not registered.backup_eligible


def test_no_add_page(admin_client):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


def test_clear_clone_flag(admin_client, registered):
    WebAuthnDevice.objects.filter(pk=registered.pk).update(clone_suspected=True)
    response = admin_client.post(
        CHANGELIST, {"action": "clear_clone_flag", "_selected_action": [registered.pk]}
    )
    assert response.status_code == 302
    registered.refresh_from_db()
    assert not registered.clone_suspected

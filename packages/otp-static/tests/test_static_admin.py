"""The admin shows how many codes are left, never the codes or their hashes."""

from __future__ import annotations

import pytest
from django.contrib import admin

from otp_static.admin import StaticDeviceAdmin
from otp_static.models import StaticDevice, StaticToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(verified_login, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    return verified_login(boss, StaticDevice.objects.create(user=boss, name="boss's codes"))


def test_the_device_admin_is_registered():
    assert isinstance(admin.site._registry[StaticDevice], StaticDeviceAdmin)
    assert StaticToken not in admin.site._registry


def test_changelist_and_change_page_show_the_count_only(admin_client_, static_device):
    codes = static_device.generate_tokens(count=7)
    hashes = list(static_device.token_set.values_list("token_hash", flat=True))
    static_device.verify_token(codes[0])
    changelist = admin_client_.get("/admin/otp_core_static/staticdevice/")
    change = admin_client_.get(f"/admin/otp_core_static/staticdevice/{static_device.pk}/change/")
    for response in (changelist, change):
        assert response.status_code == 200
        html = response.content.decode()
        assert "codes left" in html.lower()
        for secret in (*codes, *hashes):
            assert secret not in html
    assert '<td class="field-remaining_codes">6</td>' in changelist.content.decode()
    assert "6" in change.content.decode()

"""Admin forms: the AES key and the API key can be set but are never shown."""

from __future__ import annotations

import pytest

from otp_yubikey.admin import ValidationServiceForm, YubikeyDeviceForm
from otp_yubikey.models import ValidationService, YubikeyDevice

from .ykval_server import API_KEY

pytestmark = pytest.mark.django_db


def device_data(user, **extra):
    return {
        "user": user.pk,
        "name": "Blue",
        "confirmed": "on",
        "public_id": "vvccccdfhnfk",
        "private_id": "0123456789ab",
        "session": "-1",
        "counter": "-1",
        **extra,
    }


def test_new_device_needs_a_valid_key(user):
    form = YubikeyDeviceForm(data=device_data(user))
    assert "new_key" in form.errors
    form = YubikeyDeviceForm(data=device_data(user, new_key="00" * 15))
    assert "new_key" in form.errors
    form = YubikeyDeviceForm(data=device_data(user, new_key="AB" * 16))
    assert form.is_valid(), form.errors
    device = form.save()
    assert YubikeyDevice.objects.get(pk=device.pk).key == "ab" * 16


def test_key_is_kept_when_left_empty_and_never_rendered(user, local_device, key):
    form = YubikeyDeviceForm(
        data=device_data(user, public_id=key.public_id, private_id=key.uid), instance=local_device
    )
    assert form.is_valid(), form.errors
    form.save()
    assert YubikeyDevice.objects.get().key == key.aes
    assert key.aes not in str(YubikeyDeviceForm(instance=local_device))


def test_service_needs_a_base64_api_key():
    data = {
        "name": "default",
        "api_id": "1",
        "base_url": "",
        "api_version": "2.0",
        "use_ssl": "on",
        "param_sl": "",
        "param_timeout": "5",
    }
    assert "new_api_key" in ValidationServiceForm(data=data).errors
    assert "new_api_key" in ValidationServiceForm(data={**data, "new_api_key": "%%%"}).errors
    assert "param_sl" in ValidationServiceForm(data={**data, "param_sl": "101"}).errors
    assert "base_url" in ValidationServiceForm(data={**data, "base_url": "ftp://x"}).errors
    form = ValidationServiceForm(data={**data, "new_api_key": API_KEY})
    assert form.is_valid(), form.errors
    service = form.save()
    assert ValidationService.objects.get(pk=service.pk).api_key == API_KEY
    assert API_KEY not in str(ValidationServiceForm(instance=service))

"""Admin of YubiKey devices and validation services; secrets are write-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from otp_core.admin import DeviceAdmin
from otp_core.admin_ids import SafeIdAdminMixin

from .models import RemoteYubikeyDevice, ValidationService, YubikeyDevice
from .validators import aes_key_validator, api_key_validator


def _rename_error(errors: ValidationError, field: str, form_field: str) -> None:
    if hasattr(errors, "error_dict") and field in errors.error_dict:
        errors.error_dict.setdefault(form_field, []).extend(errors.error_dict.pop(field))


class YubikeyDeviceForm(forms.ModelForm):
    """The AES key can be set (required when adding) but is never shown."""

    new_key = forms.CharField(
        label=_("AES key"),
        required=False,
        strip=True,
        validators=[aes_key_validator],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("32 hexadecimal characters. Leave empty to keep the current key."),
    )

    class Meta:
        model = YubikeyDevice
        fields = ("user", "name", "confirmed", "public_id", "private_id", "session", "counter")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("new_key"):
            self.instance.key = cleaned["new_key"].lower()
        elif self.instance.pk is None and not self.has_error("new_key"):
            self.add_error("new_key", _("A new device needs its AES key."))
        return cleaned

    def _update_errors(self, errors: ValidationError) -> None:
        # The model reports its (non-editable) key; this form's field for it is new_key.
        _rename_error(errors, "key", "new_key")
        super()._update_errors(errors)


@admin.register(YubikeyDevice)
class YubikeyDeviceAdmin(DeviceAdmin):
    form = YubikeyDeviceForm
    list_display = (*DeviceAdmin.list_display, "public_id")
    search_fields = ("name", "public_id")


class ValidationServiceForm(forms.ModelForm):
    new_api_key = forms.CharField(
        label=_("API key"),
        required=False,
        strip=True,
        validators=[api_key_validator],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Base64, as Yubico issued it. Leave empty to keep the current key."),
    )

    class Meta:
        model = ValidationService
        fields = (
            "name",
            "api_id",
            "base_url",
            "api_version",
            "use_ssl",
            "param_sl",
            "param_timeout",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("new_api_key"):
            self.instance.api_key = cleaned["new_api_key"]
        elif self.instance.pk is None and not self.has_error("new_api_key"):
            self.add_error("new_api_key", _("A new service needs its API key."))
        return cleaned

    def _update_errors(self, errors: ValidationError) -> None:
        _rename_error(errors, "api_key", "new_api_key")
        super()._update_errors(errors)


@admin.register(ValidationService)
class ValidationServiceAdmin(SafeIdAdminMixin, admin.ModelAdmin):
    form = ValidationServiceForm
    list_display = ("name", "api_id", "api_version")
    search_fields = ("name",)


@admin.register(RemoteYubikeyDevice)
class RemoteYubikeyDeviceAdmin(DeviceAdmin):
    list_display = (*DeviceAdmin.list_display, "service", "public_id")
    list_filter = (*DeviceAdmin.list_filter, "service")
    search_fields = ("name", "public_id")

"""Admin for backup code sets: how many codes are left, never the codes.

Codes are not generated here: an administrator would see another person's
codes. The owner generates them in the UI, or an operator with shell access
uses ``manage.py otp_static_addcodes``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from otp_core.admin import DeviceAdmin

from .models import StaticDevice


@admin.register(StaticDevice)
class StaticDeviceAdmin(DeviceAdmin):
    list_display = (*DeviceAdmin.list_display, "remaining_codes")
    readonly_fields = (*DeviceAdmin.readonly_fields, "remaining_codes")
    fields = (
        "user",
        "name",
        "confirmed",
        "remaining_codes",
        *DeviceAdmin.readonly_fields,
    )

    @admin.display(description=_("codes left"), ordering="codes_left")
    def remaining_codes(self, device: StaticDevice) -> int:
        if not device.pk:
            return 0
        annotated = getattr(device, "codes_left", None)
        return device.remaining if annotated is None else annotated

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).annotate(codes_left=Count("token_set"))

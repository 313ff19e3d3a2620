from django.contrib import admin

from otp_core.admin import DeviceAdmin

from .models import PhoneDevice


@admin.register(PhoneDevice)
class PhoneDeviceAdmin(DeviceAdmin):
    """Phone devices: number and method are fixed once the device exists.

    Pointing someone's device at another number would send their codes there.
    """

    frozen_fields = (*DeviceAdmin.frozen_fields, "number", "method")
    list_display = (*DeviceAdmin.list_display, "method", "masked")
    list_filter = (*DeviceAdmin.list_filter, "method")
    readonly_fields = (*DeviceAdmin.readonly_fields, "valid_until", "last_generated_at")
    exclude = ("token_hash",)

    @admin.display(description="number")
    def masked(self, device: PhoneDevice) -> str:
        return device.masked_number()

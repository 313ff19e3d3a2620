from django.contrib import admin

from otp_core.admin import DeviceAdmin

from .models import EmailDevice


@admin.register(EmailDevice)
class EmailDeviceAdmin(DeviceAdmin):
    """E-mail devices: the address is fixed once the device exists.

    Pointing someone's device at another address would send their codes there.
    """

    frozen_fields = (*DeviceAdmin.frozen_fields, "email")
    list_display = (*DeviceAdmin.list_display, "email")
    search_fields = (*DeviceAdmin.search_fields, "email")
    readonly_fields = (*DeviceAdmin.readonly_fields, "valid_until", "last_generated_at")
    exclude = ("token_hash",)

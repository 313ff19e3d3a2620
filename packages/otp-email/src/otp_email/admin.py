from django.contrib import admin

from otp_core.admin import DeviceAdmin

from .models import EmailDevice


@admin.register(EmailDevice)
class EmailDeviceAdmin(DeviceAdmin):
    list_display = (*DeviceAdmin.list_display, "email")
    search_fields = (*DeviceAdmin.search_fields, "email")
    readonly_fields = (*DeviceAdmin.readonly_fields, "valid_until", "last_generated_at")
    exclude = ("token_hash",)

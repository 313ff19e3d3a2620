from django.contrib import admin

from otp_core.admin_oath import OATHDeviceAdmin

from .models import HOTPDevice


@admin.register(HOTPDevice)
class HOTPDeviceAdmin(OATHDeviceAdmin):
    """HOTP devices: the shared OATH admin with the counter settings."""

    configuration_fields = ("digits", "algorithm", "tolerance")
    state_fields = ("counter",)

from django.contrib import admin

from otp_core.admin_oath import OATHDeviceAdmin

from .models import TOTPDevice


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(OATHDeviceAdmin):
    """TOTP devices: the shared OATH admin with the time settings."""

    configuration_fields = ("digits", "algorithm", "step", "t0", "tolerance")
    state_fields = ("drift", "last_t")

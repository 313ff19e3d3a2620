from django.contrib import admin

from otp_core.admin import DeviceAdmin

from .models import ExampleChallengeDevice, ExampleDevice, HardwareExampleDevice

for model in (ExampleDevice, HardwareExampleDevice, ExampleChallengeDevice):
    admin.site.register(model, DeviceAdmin)

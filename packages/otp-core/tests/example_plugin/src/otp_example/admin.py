from django.contrib import admin

from otp_core.admin import DeviceAdmin
from otp_core.admin_oath import OATHDeviceAdmin

from .models import ExampleChallengeDevice, ExampleDevice, ExampleOATHDevice, HardwareExampleDevice

for model in (ExampleDevice, HardwareExampleDevice, ExampleChallengeDevice):
    admin.site.register(model, DeviceAdmin)

admin.site.register(ExampleOATHDevice, OATHDeviceAdmin)

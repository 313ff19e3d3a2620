from django.apps import AppConfig


class ExampleConfig(AppConfig):
    name = "otp_example"
    default_auto_field = "django.db.models.BigAutoField"

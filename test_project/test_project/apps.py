from django.apps import AppConfig


class TestProjectConfig(AppConfig):
    name = "test_project"
    verbose_name = "Demo"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "threadline.risks"
    default_auto_field = "django.db.models.BigAutoField"

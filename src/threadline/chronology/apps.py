from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "threadline.chronology"
    default_auto_field = "django.db.models.BigAutoField"

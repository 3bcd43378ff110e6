from django.apps import AppConfig


class TimescalesConfig(AppConfig):
    name = "threadline.timescales"
    default_auto_field = "django.db.models.BigAutoField"

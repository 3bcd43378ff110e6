from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "threadline.linkage"
    verbose_name = "Identity resolution"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "threadline.sharing"
    label = "sharing"

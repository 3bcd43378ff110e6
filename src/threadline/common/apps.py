from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "threadline.common"
    label = "common"

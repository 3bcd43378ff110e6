from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "threadline.web"
    label = "web"

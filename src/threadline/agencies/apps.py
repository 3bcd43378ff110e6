from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "threadline.agencies"
    label = "agencies"

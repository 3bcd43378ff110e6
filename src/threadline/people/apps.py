from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "threadline.people"
    label = "people"

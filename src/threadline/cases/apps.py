from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "threadline.cases"
    label = "cases"

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "threadline.reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import holds

        holds.connect()

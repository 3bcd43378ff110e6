from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "threadline.web"
    label = "web"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_sign_in_time

        user_logged_in.connect(stamp_sign_in_time, dispatch_uid="threadline-signed-in-at")

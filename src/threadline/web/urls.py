from django.urls import path

from . import health, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("healthz", health.healthz, name="healthz"),
]

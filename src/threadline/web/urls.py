from django.urls import path

from . import health, reauth, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/security-code/", views.mfa_verify, name="mfa-verify"),
    path("sign-in/set-up-authenticator-app/", views.mfa_enrol, name="mfa-enrol"),
    path("sign-out/", views.sign_out, name="logout"),
    path("confirm-it-is-you/", reauth.reauthenticate, name="reauthenticate"),
    path("healthz", health.healthz, name="healthz"),
]

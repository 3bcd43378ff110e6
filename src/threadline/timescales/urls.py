from django.urls import path

from . import views

urlpatterns = [
    path("people/<uuid:person_id>/events/new/", views.event_create, name="clock-event-create"),
    path("rules/", views.rule_catalogue, name="rule-catalogue"),
]

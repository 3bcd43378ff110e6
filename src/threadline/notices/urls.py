from django.urls import path

from . import views

urlpatterns = [
    path("notices/", views.inbox, name="notice-inbox"),
    path("notices/<uuid:recipient_id>/", views.notice_detail, name="notice-detail"),
    path(
        "notices/<uuid:recipient_id>/acknowledge/",
        views.notice_acknowledge,
        name="notice-acknowledge",
    ),
]

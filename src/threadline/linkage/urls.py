from django.urls import path

from . import views

urlpatterns = [
    path("identities/", views.review_queue, name="identity-queue"),
    path("identities/<uuid:match_id>/", views.match_detail, name="identity-match"),
    path("identities/<uuid:match_id>/decision/", views.match_decide, name="identity-decide"),
    path("identities/records/<uuid:record_id>/", views.record_detail, name="identity-record"),
    path("identities/links/<uuid:link_id>/undo/", views.link_undo, name="identity-link-undo"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("sharing/agreements/", views.agreement_list, name="agreement-list"),
    path("sharing/agreements/new/", views.agreement_create, name="agreement-create"),
    path("sharing/agreements/<uuid:agreement_id>/end/", views.agreement_end, name="agreement-end"),
    path(
        "people/<uuid:person_id>/access-requests/new/",
        views.access_request_create,
        name="access-request-create",
    ),
    path("access-requests/", views.access_requests, name="access-requests"),
    path(
        "access-requests/<uuid:request_id>/decide/",
        views.access_request_decide,
        name="access-request-decide",
    ),
    path("emergency-access/", views.break_glass, name="break-glass"),
    path("emergency-access/review/", views.break_glass_review, name="break-glass-review"),
    path(
        "emergency-access/<uuid:glass_id>/review/",
        views.break_glass_review_one,
        name="break-glass-review-one",
    ),
]

from django.urls import path

from . import views

urlpatterns = [
    path("people/<uuid:person_id>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<uuid:meeting_id>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<uuid:meeting_id>/report/", views.meeting_report, name="meeting-report"),
    path(
        "meetings/<uuid:meeting_id>/attendance/",
        views.meeting_attendance,
        name="meeting-attendance",
    ),
    path("meetings/<uuid:meeting_id>/outcome/", views.meeting_outcome, name="meeting-outcome"),
    path("meetings/<uuid:meeting_id>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path(
        "people/<uuid:person_id>/placements/new/",
        views.placement_create,
        name="placement-create",
    ),
    path("placements/<uuid:placement_id>/", views.placement_detail, name="placement-detail"),
    path("placements/<uuid:placement_id>/review/", views.placement_review, name="placement-review"),
    path("placements/<uuid:placement_id>/end/", views.placement_end, name="placement-end"),
]

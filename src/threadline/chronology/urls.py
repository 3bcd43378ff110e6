from django.urls import path

from . import views

_ENTRY = "people/<uuid:person_id>/chronology/<uuid:entry_id>"

urlpatterns = [
    path("people/<uuid:person_id>/chronology/", views.chronology, name="chronology"),
    path(
        "people/<uuid:person_id>/chronology/new/",
        views.entry_create,
        name="chronology-entry-create",
    ),
    path(
        "people/<uuid:person_id>/chronology/export/",
        views.chronology_export,
        name="chronology-export",
    ),
    path(f"{_ENTRY}/", views.entry_detail, name="chronology-entry"),
    path(f"{_ENTRY}/amend/", views.entry_amend, name="chronology-entry-amend"),
    path(f"{_ENTRY}/entered-in-error/", views.entry_in_error, name="chronology-entry-in-error"),
    path(
        f"{_ENTRY}/attachments/<uuid:attachment_id>/",
        views.attachment_download,
        name="chronology-attachment",
    ),
]

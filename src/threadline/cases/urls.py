from django.urls import path

from . import views

urlpatterns = [
    path("people/<uuid:person_id>/case/open/", views.case_open, name="case-open"),
    path("cases/<uuid:case_id>/network/new/", views.involvement_add, name="involvement-add"),
    path(
        "cases/<uuid:case_id>/network/<uuid:involvement_id>/end/",
        views.involvement_end,
        name="involvement-end",
    ),
    path("cases/<uuid:case_id>/allocation/new/", views.allocation_add, name="allocation-add"),
    path(
        "cases/<uuid:case_id>/lead-professional/",
        views.lead_professional_set,
        name="lead-professional-set",
    ),
]

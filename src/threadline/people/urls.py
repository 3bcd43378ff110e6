from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.person_search, name="person-search"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<uuid:person_id>/", views.person_detail, name="person-detail"),
    path("people/<uuid:person_id>/edit/", views.person_edit, name="person-edit"),
    path("people/<uuid:person_id>/addresses/new/", views.address_add, name="address-add"),
    path(
        "people/<uuid:person_id>/relationships/new/",
        views.relationship_add,
        name="relationship-add",
    ),
    path(
        "people/<uuid:person_id>/addresses/<uuid:residence_id>/end/",
        views.residence_end,
        name="residence-end",
    ),
    path(
        "people/<uuid:person_id>/relationships/<uuid:relationship_id>/end/",
        views.relationship_end,
        name="relationship-end",
    ),
    path("people/<uuid:person_id>/household/", views.household_on, name="household-on"),
    path("people/<uuid:person_id>/names/new/", views.name_add, name="name-add"),
    path("people/<uuid:person_id>/references/new/", views.reference_add, name="reference-add"),
]

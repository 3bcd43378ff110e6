from django.urls import path

from . import views

urlpatterns = [
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals/new/", views.referral_create, name="referral-create"),
    path("referrals/front-door/", views.front_door, name="front-door"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="referral-detail"),
    path("referrals/<uuid:referral_id>/decide/", views.referral_decide, name="referral-decide"),
    path(
        "people/<uuid:person_id>/referrals/new/",
        views.child_referral_create,
        name="child-referral-create",
    ),
    path("people/<uuid:person_id>/children/", views.adult_children, name="adult-children"),
    path(
        "people/<uuid:person_id>/children/new/",
        views.adult_children_add,
        name="adult-children-add",
    ),
]

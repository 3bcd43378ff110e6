from django.urls import path

from . import views

urlpatterns = [
    path("people/<uuid:person_id>/risks/new/", views.risk_create, name="risk-create"),
    path(
        "people/<uuid:person_id>/risks/<uuid:risk_id>/",
        views.child_risk_detail,
        name="child-risk-detail",
    ),
    path("risks/<uuid:risk_id>/", views.risk_detail, name="risk-detail"),
    path("risks/<uuid:risk_id>/review/", views.risk_review, name="risk-review"),
    path("risks/<uuid:risk_id>/close/", views.risk_close, name="risk-close"),
    path("risks/<uuid:risk_id>/sign-off/", views.risk_sign_off, name="risk-sign-off"),
]

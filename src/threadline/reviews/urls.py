from django.urls import path

from . import views

urlpatterns = [
    path("reviews/<uuid:review_id>/", views.review_detail, name="review-detail"),
    path("reviews/actions/<uuid:action_id>/", views.action_detail, name="review-action"),
]

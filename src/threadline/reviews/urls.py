from django.urls import path

from . import views

urlpatterns = [
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/new/", views.review_create, name="review-create"),
    path("reviews/monitoring/", views.review_monitoring, name="review-monitoring"),
    path(
        "reviews/monitoring/board-report/",
        views.review_monitoring_report,
        name="review-monitoring-report",
    ),
    path("reviews/search/", views.review_search, name="review-search"),
    path("reviews/<uuid:review_id>/", views.review_detail, name="review-detail"),
    path(
        "reviews/<uuid:review_id>/board-report/",
        views.review_board_report,
        name="review-board-report",
    ),
    path("reviews/<uuid:review_id>/milestone/", views.review_milestone, name="review-milestone"),
    path("reviews/<uuid:review_id>/close/", views.review_close, name="review-close"),
    path(
        "reviews/<uuid:review_id>/findings/new/",
        views.review_finding_create,
        name="review-finding-create",
    ),
    path(
        "reviews/<uuid:review_id>/reports/request/",
        views.review_reports_request,
        name="review-reports-request",
    ),
    path("reviews/<uuid:review_id>/chronology/", views.review_chronology, name="review-chronology"),
    path(
        "reviews/<uuid:review_id>/chronology/export/<slug:fmt>/",
        views.review_chronology_export,
        name="review-chronology-export",
    ),
    path(
        "reviews/<uuid:review_id>/chronology/new/",
        views.review_entry_create,
        name="review-entry-create",
    ),
    path(
        "reviews/<uuid:review_id>/recommendations/new/",
        views.review_recommendation_create,
        name="review-recommendation-create",
    ),
    path(
        "reviews/<uuid:review_id>/recommendations/extract/",
        views.review_recommendation_extract,
        name="review-recommendation-extract",
    ),
    path("reviews/reports/<uuid:report_id>/", views.review_report, name="review-report"),
    path(
        "reviews/reports/<uuid:report_id>/submit/",
        views.review_report_submit,
        name="review-report-submit",
    ),
    path(
        "reviews/reports/<uuid:report_id>/assure/",
        views.review_report_assure,
        name="review-report-assure",
    ),
    path(
        "reviews/reports/<uuid:report_id>/document/",
        views.review_report_document,
        name="review-report-document",
    ),
    path(
        "reviews/recommendations/<uuid:recommendation_id>/",
        views.review_recommendation,
        name="review-recommendation",
    ),
    path(
        "reviews/recommendations/<uuid:recommendation_id>/edit/",
        views.review_recommendation_edit,
        name="review-recommendation-edit",
    ),
    path(
        "reviews/recommendations/<uuid:recommendation_id>/actions/new/",
        views.review_action_create,
        name="review-action-create",
    ),
    path("reviews/actions/<uuid:action_id>/", views.review_action, name="review-action"),
    path(
        "reviews/actions/<uuid:action_id>/update/",
        views.review_action_update,
        name="review-action-update",
    ),
    path(
        "reviews/actions/<uuid:action_id>/evidence/",
        views.review_action_evidence_add,
        name="review-action-evidence-add",
    ),
    path(
        "reviews/actions/<uuid:action_id>/evidence/<uuid:evidence_id>/",
        views.review_action_evidence,
        name="review-action-evidence",
    ),
    path(
        "reviews/actions/<uuid:action_id>/decide/",
        views.review_action_decide,
        name="review-action-decide",
    ),
    path(
        "reviews/actions/<uuid:action_id>/close/",
        views.review_action_close,
        name="review-action-close",
    ),
]

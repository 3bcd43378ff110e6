"""Case reviews: list and read the reviews you may see (sharing/policy.py
`reviews_visible_to`: the partnership running one, its panel, and the agencies it asked
for a report or addressed a recommendation to; `404` otherwise). The partnership's
officers open a review and record its milestones, ask agencies for their management
reports and quality-assure them, record recommendations (typed in, or proposed from the
review's document by `extract`, which saves nothing), accept or return the evidence for
each action and close actions and the review (`403 not_allowed` for anyone else who sees
it). Each agency's safeguarding leads and team managers submit its report and run its
action plan: actions, progress and evidence (`403 not_your_agency` for anyone else).
Services refuse what the policy does not allow too; the views ask first, so that a caller
who may not act is told so (403) before their input is read.

No DELETE or PUT (405): nothing about a review is deleted, and only a recommendation's
wording, themes and rule are corrected in place (PATCH, If-Match).

Thin views over the same services and selectors as the web pages."""

from django.urls import path

from .actions import (
    ActionClose,
    ActionDetail,
    ActionEvidence,
    ActionEvidenceDecision,
    ActionEvidenceDocument,
    ActionList,
    ActionUpdates,
)
from .recommendations import RecommendationDetail, RecommendationList
from .reports import ReportAssurance, ReportDetail, ReportDocument, ReportSubmission
from .reviews import (
    ReviewChronology,
    ReviewClose,
    ReviewDetail,
    ReviewEntries,
    ReviewExtract,
    ReviewList,
    ReviewMilestone,
    ReviewReportRequests,
)

urlpatterns = [
    path("reviews/", ReviewList.as_view(), name="api-review-list"),
    path("reviews/<uuid:id>/", ReviewDetail.as_view(), name="api-review-detail"),
    path("reviews/<uuid:id>/milestones/", ReviewMilestone.as_view(), name="api-review-milestones"),
    path("reviews/<uuid:id>/close/", ReviewClose.as_view(), name="api-review-close"),
    path(
        "reviews/<uuid:id>/report-requests/",
        ReviewReportRequests.as_view(),
        name="api-review-report-requests",
    ),
    path(
        "reviews/<uuid:id>/chronology/",
        ReviewChronology.as_view(),
        name="api-review-chronology",
    ),
    path(
        "reviews/<uuid:id>/chronology-entries/",
        ReviewEntries.as_view(),
        name="api-review-chronology-entries",
    ),
    path(
        "reviews/<uuid:id>/recommendations/extract/",
        ReviewExtract.as_view(),
        name="api-review-extract",
    ),
    path("recommendations/", RecommendationList.as_view(), name="api-recommendation-list"),
    path(
        "recommendations/<uuid:id>/",
        RecommendationDetail.as_view(),
        name="api-recommendation-detail",
    ),
    path("actions/", ActionList.as_view(), name="api-action-list"),
    path("actions/<uuid:id>/", ActionDetail.as_view(), name="api-action-detail"),
    path("actions/<uuid:id>/updates/", ActionUpdates.as_view(), name="api-action-updates"),
    path("actions/<uuid:id>/evidence/", ActionEvidence.as_view(), name="api-action-evidence"),
    path(
        "actions/<uuid:id>/evidence/<uuid:evidence_id>/",
        ActionEvidenceDocument.as_view(),
        name="api-action-evidence-document",
    ),
    path(
        "actions/<uuid:id>/evidence-decision/",
        ActionEvidenceDecision.as_view(),
        name="api-action-evidence-decision",
    ),
    path("actions/<uuid:id>/close/", ActionClose.as_view(), name="api-action-close"),
    path("agency-reports/<uuid:id>/", ReportDetail.as_view(), name="api-agency-report-detail"),
    path(
        "agency-reports/<uuid:id>/document/",
        ReportDocument.as_view(),
        name="api-agency-report-document",
    ),
    path(
        "agency-reports/<uuid:id>/submission/",
        ReportSubmission.as_view(),
        name="api-agency-report-submission",
    ),
    path(
        "agency-reports/<uuid:id>/assurance/",
        ReportAssurance.as_view(),
        name="api-agency-report-assurance",
    ),
]

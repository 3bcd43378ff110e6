"""Case-review pages: thin views — form → one service call → redirect. The routes fetch
the review, report, recommendation or action through the policy (`@requires(VIEW_…)`:
404 if the actor may not see it); the partnership running the review changes it
(`MANAGE_REVIEW`, `ASSURE_REPORT`, `CHANGE_RECOMMENDATION`, `DECIDE_ACTION`: 403), an
agency's safeguarding leads and team managers respond for it (`RESPOND_TO_REPORT`,
`ADD_ACTION`, `UPDATE_ACTION`), and only the panel and the partnership read the review
chronology (`READ_REVIEW_CHRONOLOGY`). Forms shown on the review, recommendation and
action pages post to their own routes, which show the form again with the service's
errors."""

from .plans import (
    review_action,
    review_action_close,
    review_action_create,
    review_action_decide,
    review_action_evidence,
    review_action_evidence_add,
    review_action_update,
    review_recommendation,
    review_recommendation_create,
    review_recommendation_edit,
    review_recommendation_extract,
)
from .reports import (
    review_report,
    review_report_assure,
    review_report_document,
    review_report_submit,
)
from .reviews import (
    review_board_report,
    review_chronology,
    review_chronology_export,
    review_close,
    review_create,
    review_detail,
    review_entry_create,
    review_finding_create,
    review_list,
    review_milestone,
    review_monitoring,
    review_monitoring_report,
    review_reports_request,
    review_search,
)

__all__ = [
    "review_list",
    "review_monitoring",
    "review_monitoring_report",
    "review_search",
    "review_create",
    "review_detail",
    "review_board_report",
    "review_milestone",
    "review_close",
    "review_finding_create",
    "review_reports_request",
    "review_chronology",
    "review_chronology_export",
    "review_entry_create",
    "review_report",
    "review_report_submit",
    "review_report_assure",
    "review_report_document",
    "review_recommendation_create",
    "review_recommendation_extract",
    "review_recommendation",
    "review_recommendation_edit",
    "review_action_create",
    "review_action",
    "review_action_update",
    "review_action_evidence_add",
    "review_action_evidence",
    "review_action_decide",
    "review_action_close",
]

"""The only writers of case reviews: opening one (with its legal hold and the statutory
clock's events), its milestones, agencies' management reports, the review chronology's
own entries, findings and recommendations, and every agency's action plan through to
the partnership closing each action on evidence. Each checks everything first and saves
nothing if anything is wrong; each writes its audit event in the same transaction."""

from .checks import TEXT_MAX
from .plans import (
    MAX_EVIDENCE_FILES,
    ProposedRecommendation,
    add_action,
    add_evidence,
    add_finding,
    add_recommendations,
    close_action,
    decide_evidence,
    update_action,
    update_recommendation,
)
from .reports import (
    add_review_entry,
    assure_report,
    chase_overdue_reports,
    request_reports,
    submit_report,
)
from .reviews import (
    MILESTONES,
    Milestone,
    close_review,
    household_in_scope,
    open_review,
    record_milestone,
)

__all__ = [
    "MAX_EVIDENCE_FILES",
    "TEXT_MAX",
    "MILESTONES",
    "Milestone",
    "ProposedRecommendation",
    "add_action",
    "add_evidence",
    "add_finding",
    "add_recommendations",
    "add_review_entry",
    "assure_report",
    "chase_overdue_reports",
    "close_action",
    "close_review",
    "decide_evidence",
    "household_in_scope",
    "open_review",
    "record_milestone",
    "request_reports",
    "submit_report",
    "update_action",
    "update_recommendation",
]

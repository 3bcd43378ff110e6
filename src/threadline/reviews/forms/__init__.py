"""Forms parse and present; services.py validates and saves. Dates, texts and choices are
passed on as entered, so the rules about reviews and their messages are the service's
alone. What only a form can know is checked here: a subject child named by an NHS number
no one has, a document that cannot be read, a proposed recommendation left without an
addressee."""

from .common import MILESTONE_LABELS, PARTNERSHIP, DecisionForm, DocumentField
from .plans import (
    EVIDENCE_FIELD_MAP,
    RECOMMENDATION_FIELD_MAP,
    ActionForm,
    ActionUpdateForm,
    CloseActionForm,
    ConfirmRecommendationsForm,
    EditRecommendationForm,
    EvidenceDecisionForm,
    EvidenceForm,
    RecommendationForm,
    UploadReviewForm,
)
from .reports import AssureReportForm, RequestReportsForm, ReviewEntryForm, SubmitReportForm
from .reviews import CloseReviewForm, FindingForm, MilestoneForm, OpenReviewForm, SearchForm

__all__ = [
    "PARTNERSHIP",
    "MILESTONE_LABELS",
    "DocumentField",
    "DecisionForm",
    "OpenReviewForm",
    "MilestoneForm",
    "CloseReviewForm",
    "FindingForm",
    "SearchForm",
    "RequestReportsForm",
    "SubmitReportForm",
    "AssureReportForm",
    "ReviewEntryForm",
    "RecommendationForm",
    "RECOMMENDATION_FIELD_MAP",
    "UploadReviewForm",
    "ConfirmRecommendationsForm",
    "EditRecommendationForm",
    "ActionForm",
    "ActionUpdateForm",
    "EVIDENCE_FIELD_MAP",
    "EvidenceForm",
    "EvidenceDecisionForm",
    "CloseActionForm",
]

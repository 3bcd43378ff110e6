"""Each web route declares the permission it needs with `@requires(...)`; the decorator
enforces it through the access policy, hands the view the record it may use, and writes
the audit trail: every refusal, and every page opened for a person or a case. The
authorization matrix test (tests/sharing/) fails on any route that declares none."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from threadline.agencies.models import Role
from threadline.audit.models import AuditAction
from threadline.audit.selectors import AUDIT_READERS
from threadline.audit.services import record_event
from threadline.meetings.placement_selectors import get_placement_for
from threadline.meetings.selectors import get_meeting_for
from threadline.orders.selectors import get_order_for
from threadline.reviews import selectors as reviews
from threadline.risks.selectors import get_risk_for

from . import policy

PUBLIC = "public"  # no sign-in: the sign-in page, the health check
SIGNED_IN = "signed_in"  # any signed-in practitioner; shows only what they may see
VIEW_PERSON = "view_person"  # the person is in the actor's reach, else 404
CONTRIBUTE = "contribute"  # in reach: may add addresses, names, relationships, references
EDIT_PERSON = "edit_person"  # in reach, and the recording agency or case holder, else 403
OPEN_CASE = "open_case"  # in reach, and the actor works in children's social care, else 403
MANAGE_CASE = "manage_case"  # the case is in reach, and the actor's agency holds it, else 403
ADMINISTER = "administer"  # administrators: agencies, accounts, sharing agreements, else 403
SAFEGUARDING_LEAD = "safeguarding_lead"  # access decisions, break-glass reviews, else 403
AUDIT = "audit"  # the audit trail: auditors, safeguarding leads, team managers
FRONT_DOOR = "front_door"  # the front door's referral queue and decisions, else 403
LINK_CHILDREN = "link_children"  # an adult in reach, and the actor works in adult services
VIEW_RISK = "view_risk"  # the risk is one the actor may read (the policy), else 404
CHANGE_RISK = "change_risk"  # readable, and recorded by the actor's agency, else 403
SIGN_OFF_RISK = "sign_off_risk"  # CHANGE_RISK, by a team manager or safeguarding lead, else 403
RECORD_ORDER = "record_order"  # the child in reach, and the actor records some order, else 403
VIEW_ORDER = "view_order"  # the order's child is in reach (the policy), else 404
CHANGE_ORDER = "change_order"  # VIEW_ORDER, and the actor records this kind of order, else 403
RECORD_MEETING = "record_meeting"  # the child in reach, and social care or legal, else 403
VIEW_MEETING = "view_meeting"  # the meeting is one the actor may see (the policy), else 404
CHANGE_MEETING = "change_meeting"  # VIEW_MEETING, and social care or legal, else 403
REPORT_TO_MEETING = "report_to_meeting"  # VIEW_MEETING, and the actor's agency invited, else 403
VIEW_PLACEMENT = "view_placement"  # the agreement's child is in reach (the policy), else 404
CHANGE_PLACEMENT = "change_placement"  # VIEW_PLACEMENT, and social care or legal, else 403
OPEN_REVIEW = "open_review"  # a safeguarding partnership's officers, else 403
VIEW_REVIEW = "view_review"  # the review is one the actor may see (the policy), else 404
MANAGE_REVIEW = "manage_review"  # VIEW_REVIEW, and the partnership running it, else 403
READ_REVIEW_CHRONOLOGY = "read_review_chronology"  # VIEW_REVIEW, panel or partnership, else 403
ADD_REVIEW_ENTRY = "add_review_entry"  # VIEW_REVIEW, panel, partnership or agency asked, else 403
VIEW_AGENCY_REPORT = "view_agency_report"  # review seen (else 404); panel, partnership, the agency
RESPOND_TO_REPORT = "respond_to_report"  # VIEW_AGENCY_REPORT, the agency's leads/managers
ASSURE_REPORT = "assure_report"  # VIEW_AGENCY_REPORT, and the partnership running it, else 403
VIEW_RECOMMENDATION = "view_recommendation"  # its review is one the actor may see, else 404
CHANGE_RECOMMENDATION = "change_recommendation"  # VIEW_RECOMMENDATION, the partnership, else 403
ADD_ACTION = "add_action"  # VIEW_RECOMMENDATION, the addressed agency's leads/managers, else 403
VIEW_ACTION = "view_action"  # one of the actions the actor may see (the selector), else 404
UPDATE_ACTION = "update_action"  # VIEW_ACTION, and the agency's leads/managers, else 403
DECIDE_ACTION = "decide_action"  # VIEW_ACTION, and the partnership running the review, else 403
RESOLVE_IDENTITIES = "resolve_identities"  # the review queue: leads and front doors, else 403

PERMISSIONS = (
    PUBLIC,
    SIGNED_IN,
    VIEW_PERSON,
    CONTRIBUTE,
    EDIT_PERSON,
    OPEN_CASE,
    MANAGE_CASE,
    ADMINISTER,
    SAFEGUARDING_LEAD,
    AUDIT,
    FRONT_DOOR,
    LINK_CHILDREN,
    VIEW_RISK,
    CHANGE_RISK,
    SIGN_OFF_RISK,
    RECORD_ORDER,
    VIEW_ORDER,
    CHANGE_ORDER,
    RECORD_MEETING,
    VIEW_MEETING,
    CHANGE_MEETING,
    REPORT_TO_MEETING,
    VIEW_PLACEMENT,
    CHANGE_PLACEMENT,
    OPEN_REVIEW,
    VIEW_REVIEW,
    MANAGE_REVIEW,
    READ_REVIEW_CHRONOLOGY,
    ADD_REVIEW_ENTRY,
    VIEW_AGENCY_REPORT,
    RESPOND_TO_REPORT,
    ASSURE_REPORT,
    VIEW_RECOMMENDATION,
    CHANGE_RECOMMENDATION,
    ADD_ACTION,
    VIEW_ACTION,
    UPDATE_ACTION,
    DECIDE_ACTION,
    RESOLVE_IDENTITIES,
)
_PERSON_ROUTES = {
    VIEW_PERSON,
    CONTRIBUTE,
    EDIT_PERSON,
    OPEN_CASE,
    LINK_CHILDREN,
    RECORD_ORDER,
    RECORD_MEETING,
}
_RISK_ROUTES = {VIEW_RISK, CHANGE_RISK, SIGN_OFF_RISK}
_ORDER_ROUTES = {VIEW_ORDER, CHANGE_ORDER}
_MEETING_ROUTES = {VIEW_MEETING, CHANGE_MEETING, REPORT_TO_MEETING}
_PLACEMENT_ROUTES = {VIEW_PLACEMENT, CHANGE_PLACEMENT}
_REVIEW_ROUTES = {
    VIEW_REVIEW,
    MANAGE_REVIEW,
    READ_REVIEW_CHRONOLOGY,
    ADD_REVIEW_ENTRY,
}
_REPORT_ROUTES = {VIEW_AGENCY_REPORT, RESPOND_TO_REPORT, ASSURE_REPORT}
_RECOMMENDATION_ROUTES = {VIEW_RECOMMENDATION, CHANGE_RECOMMENDATION, ADD_ACTION}
_ACTION_ROUTES = {VIEW_ACTION, UPDATE_ACTION, DECIDE_ACTION}
_ROLE_ROUTES = {
    ADMINISTER: {Role.ADMINISTRATOR},
    SAFEGUARDING_LEAD: {Role.SAFEGUARDING_LEAD},
    AUDIT: AUDIT_READERS,
    FRONT_DOOR: {Role.FRONT_DOOR_OFFICER},
    RESOLVE_IDENTITIES: set(policy.IDENTITY_DECIDERS),
}


def audit_refusal(request) -> None:
    """Put a refused request on the audit trail (every 403 and 404 a route gives)."""
    record_event(
        actor=request.user,
        action=AuditAction.DENIED,
        summary=f"Refused {request.method} {request.path}"[:500],
        request=request,
    )


def refuse(request) -> PermissionDenied:
    """A 403 for a view's own finer check (the route's passed), audited like the route's:
    `raise refuse(request)`."""
    audit_refusal(request)
    return PermissionDenied()


def requires(permission: str) -> Callable:
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def enforced(request, *args, **kwargs):
            actor = request.user
            try:
                record = _check(permission, actor, kwargs)
            except (Http404, PermissionDenied):
                audit_refusal(request)
                raise
            if record is not None and request.method == "GET":
                child = _about(permission, record)
                record_event(
                    actor=actor,
                    action=AuditAction.VIEW,
                    target=record,
                    child=child.as_child,
                    summary=f"Opened {view.__name__.replace('_', ' ')}: {child.full_name}",
                    request=request,
                )
            return view(request, *args, **kwargs)

        enforced.permission = permission  # type: ignore[attr-defined]
        return login_not_required(enforced) if permission == PUBLIC else enforced

    return decorate


def _about(permission: str, record):
    """The person a route's record is about (a child, or an adult's risk)."""
    if permission in _PERSON_ROUTES:
        return record
    if permission in _RISK_ROUTES:
        return record.subject
    if permission in _MEETING_ROUTES:
        return record.children.first()
    if permission in _REVIEW_ROUTES:
        return record.clock_child
    if permission in _REPORT_ROUTES | _RECOMMENDATION_ROUTES:
        return record.review.clock_child
    if permission in _ACTION_ROUTES:
        return record.recommendation.review.clock_child
    return record.child


def _check(permission: str, actor, kwargs: dict):
    """Enforce `permission`; put the person, case or risk the route names into `kwargs`
    and return it (None for routes about no single record)."""
    if permission in _PERSON_ROUTES:
        person = policy.get_person_for(actor, kwargs.pop("person_id"))
        if permission == EDIT_PERSON and not policy.can_edit_person(actor, person):
            raise PermissionDenied
        if permission == OPEN_CASE and not policy.can_open_case(actor):
            raise PermissionDenied
        if permission == LINK_CHILDREN and not policy.works_in_adult_services(actor):
            raise PermissionDenied
        if permission == RECORD_ORDER and not policy.records_orders(actor):
            raise PermissionDenied
        if permission == RECORD_MEETING and not policy.can_record_meetings(actor):
            raise PermissionDenied
        kwargs["person"] = person
        return person
    if permission in _ROLE_ROUTES and actor.role not in _ROLE_ROUTES[permission]:
        raise PermissionDenied
    if permission == MANAGE_CASE:
        case = policy.get_case_for(actor, kwargs.pop("case_id"))
        if not policy.can_manage_case(actor, case):
            raise PermissionDenied
        kwargs["case"] = case
        return case
    if permission in _RISK_ROUTES:
        risk = get_risk_for(actor, kwargs.pop("risk_id"))
        if permission != VIEW_RISK and not policy.can_change_risk(actor, risk):
            raise PermissionDenied
        if permission == SIGN_OFF_RISK and not policy.can_sign_off_risks(actor):
            raise PermissionDenied
        kwargs["risk"] = risk
        return risk
    if permission in _ORDER_ROUTES:
        order = get_order_for(actor, kwargs.pop("order_id"))
        if permission == CHANGE_ORDER and not policy.can_record_order(actor, order.order_type):
            raise PermissionDenied
        kwargs["order"] = order
        return order
    if permission in _MEETING_ROUTES:
        meeting = get_meeting_for(actor, kwargs.pop("meeting_id"))
        if permission == CHANGE_MEETING and not policy.can_manage_meeting(actor, meeting):
            raise PermissionDenied
        if permission == REPORT_TO_MEETING and not policy.is_invited(actor, meeting):
            raise PermissionDenied
        kwargs["meeting"] = meeting
        return meeting
    if permission in _PLACEMENT_ROUTES:
        placement = get_placement_for(actor, kwargs.pop("placement_id"))
        if permission == CHANGE_PLACEMENT and not policy.can_record_meetings(actor):
            raise PermissionDenied
        kwargs["placement"] = placement
        return placement
    if permission == OPEN_REVIEW and not policy.can_open_review(actor):
        raise PermissionDenied
    if permission in _REVIEW_ROUTES:
        review = reviews.get_review_for(actor, kwargs.pop("review_id"))
        if permission == MANAGE_REVIEW and not policy.can_manage_review(actor, review):
            raise PermissionDenied
        if permission == READ_REVIEW_CHRONOLOGY and not policy.can_read_review_chronology(
            actor, review
        ):
            raise PermissionDenied
        if permission == ADD_REVIEW_ENTRY and not policy.can_add_review_entry(actor, review):
            raise PermissionDenied
        kwargs["review"] = review
        return review
    if permission in _REPORT_ROUTES:
        report = reviews.get_report_for(actor, kwargs.pop("report_id"))
        if not policy.can_read_agency_report(actor, report):
            raise PermissionDenied
        if permission == RESPOND_TO_REPORT and not policy.can_respond_for(actor, report.agency_id):
            raise PermissionDenied
        if permission == ASSURE_REPORT and not policy.can_manage_review(actor, report.review):
            raise PermissionDenied
        kwargs["report"] = report
        return report
    if permission in _RECOMMENDATION_ROUTES:
        recommendation = reviews.get_recommendation_for(actor, kwargs.pop("recommendation_id"))
        if permission == CHANGE_RECOMMENDATION and not policy.can_manage_review(
            actor, recommendation.review
        ):
            raise PermissionDenied
        if permission == ADD_ACTION and not policy.can_respond_for(
            actor, recommendation.addressed_to_id
        ):
            raise PermissionDenied
        kwargs["recommendation"] = recommendation
        return recommendation
    if permission in _ACTION_ROUTES:
        action = reviews.get_action_for(actor, kwargs.pop("action_id"))
        if permission == UPDATE_ACTION and not policy.can_respond_for(actor, action.agency_id):
            raise PermissionDenied
        if permission == DECIDE_ACTION and not policy.can_manage_review(
            actor, action.recommendation.review
        ):
            raise PermissionDenied
        kwargs["action"] = action
        return action
    return None

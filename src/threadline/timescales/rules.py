"""The rule catalogue: every statutory or review-made deadline Threadline keeps, in one
place, as data. A rule says which event starts it (and when it applies), how its due
date is counted, whose task it is, which event satisfies it (or makes it unnecessary),
and where the rule comes from. The clock (clock.py) turns events into tasks with them;
the UI, the API and docs/rules.md (`threadline clock rules`) show them.

Figures that local procedures may change are named settings (CLOCK_FIGURES, e.g.
`CLOCK_FIGURES=SUPERVISION_ORDER_REVIEW_MONTHS=2`); each rule says which."""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from .calendar import add_months, add_working_days
from .models import EventKind as E


class Owner(StrEnum):
    SOCIAL_WORKER = "social_worker"  # the allocated social worker (else the team's manager)
    LOCAL_AUTHORITY = "local_authority"  # the children's social care holding the case
    FRONT_DOOR = "front_door"  # the front door the referral was made to
    LEGAL = "legal"  # the local authority's legal services
    RECORDER = "recorder"  # whoever recorded the event (a risk's recorder, a police officer)
    PARTNERSHIP = "partnership"  # the safeguarding partnership running a case review


OWNER_LABELS = {
    Owner.SOCIAL_WORKER: "The allocated social worker (children's social care)",
    Owner.LOCAL_AUTHORITY: "Children's social care holding the case",
    Owner.FRONT_DOOR: "The children's social care front door",
    Owner.LEGAL: "The local authority's legal services",
    Owner.RECORDER: "Whoever recorded the event, in their agency",
    Owner.PARTNERSHIP: "The safeguarding partnership running the review",
}


def figure(name: str, default: int) -> int:
    """A figure local procedures may change: CLOCK_FIGURES[name], else the default."""
    return int(settings.CLOCK_FIGURES.get(name, default))


# What the dates in an event's details are, for the catalogue's wording.
BASES = {
    "due_at": "the referral's decision deadline (17:00 the next working day; the same day "
    "if urgent)",
    "received_on": "the day the referral was received",
    "ends_on": "the day the order ends",
    "ends_at": "the moment police protection ends",
    "review_date": "the risk's review date",
    "next_review_on": "the review date the placement agreement's schedule sets",
}


@dataclass(frozen=True)
class Due:
    """How a rule's due date is counted from its event: working days or calendar months
    from the event (or from the date in `details[base]`), a number of months before the
    date in `details[base]` (an order's end), or that date or moment itself."""

    working_days: int = 0
    months: int = 0
    months_before: int = 0
    base: str = ""  # a details key holding the date (or moment) to count from
    setting: str = ""  # the CLOCK_FIGURES name that overrides the number

    def _n(self, default: int) -> int:
        return figure(self.setting, default) if self.setting else default

    def moment(self, occurred_at: dt.datetime, details: dict) -> tuple[dt.date, dt.datetime | None]:
        """The due date, and the exact moment when the rule is counted in hours."""
        raw = details.get(self.base) if self.base else None
        if raw and "T" in str(raw):
            at = dt.datetime.fromisoformat(raw)
            return at.date(), at
        start = dt.date.fromisoformat(raw) if raw else occurred_at.date()
        if self.working_days:
            return add_working_days(start, self._n(self.working_days)), None
        if self.months:
            return add_months(start, self._n(self.months)), None
        if self.months_before:
            return add_months(start, -self._n(self.months_before)), None
        return start, None

    def describe(self) -> str:
        after = BASES[self.base] if self.base else "the event"
        if self.working_days:
            n = self._n(self.working_days)
            return f"{n} working day{'s' if n != 1 else ''} after {after}"
        if self.months:
            n = self._n(self.months)
            return f"{n} month{'s' if n != 1 else ''} after {after}"
        if self.months_before:
            n = self._n(self.months_before)
            return f"{n} month{'s' if n != 1 else ''} before {after}"
        return f"By {after}"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    triggers: tuple[str, ...]
    due: Due
    owner: Owner
    satisfied_by: tuple[str, ...]
    source: str
    when: str = ""  # a condition in CONDITIONS
    cancelled_by: tuple[str, ...] = ()
    same: str = ""  # a details key the satisfying event must share (one risk, one order)
    explanation: str = ""


def _plan_in_force(event, history) -> bool:
    started = [
        e for e in history if e.kind == E.PLAN_STARTED and e.occurred_at <= event.occurred_at
    ]
    ended = [e for e in history if e.kind == E.PLAN_ENDED and e.occurred_at <= event.occurred_at]
    return len(started) > len(ended)


def _reviews_since_looked_after(event, history) -> int:
    last_start = max(
        (
            e.occurred_at
            for e in history
            if e.kind == E.LOOKED_AFTER and e.occurred_at <= event.occurred_at
        ),
        default=None,
    )
    return sum(
        1
        for e in history
        if e.kind == E.LOOKED_AFTER_REVIEW
        and (last_start is None or e.occurred_at >= last_start)
        and (e.occurred_at, e.recorded_at) <= (event.occurred_at, event.recorded_at)
    )


# Conditions a rule may name: (what it means, the test on the event and the child's events).
CONDITIONS = {
    "assess": (
        "the front door decided on an assessment or a strategy discussion",
        lambda event, history: (
            event.details.get("decision") in ("assessment", "strategy_discussion")
        ),
    ),
    "section_47": (
        "the strategy discussion started section 47 enquiries",
        lambda event, history: event.details.get("section_47", True),
    ),
    "plan_made": (
        "the conference made a child-protection plan",
        lambda event, history: bool(event.details.get("plan")),
    ),
    "plan_continues": (
        "the review conference kept the plan",
        lambda event, history: bool(event.details.get("plan", True)),
    ),
    "first_review": (
        "it was the child's first review since becoming looked after",
        lambda event, history: _reviews_since_looked_after(event, history) == 1,
    ),
    "later_review": (
        "it was the second or a later review",
        lambda event, history: _reviews_since_looked_after(event, history) > 1,
    ),
    "no_plan": (
        "the child has no child-protection plan",
        lambda event, history: not _plan_in_force(event, history),
    ),
    "not_allocated": (
        "no social worker was allocated when the order was made",
        lambda event, history: not event.details.get("allocated"),
    ),
    "order_made": (
        "the court made a care or supervision order",
        lambda event, history: event.details.get("outcome") in ("care_order", "supervision_order"),
    ),
}

WT = "Working Together to Safeguard Children 2023"
REVIEW = "Case-review recommendation (Northmoor LCSPR 2026, fictional)"

RULES: tuple[Rule, ...] = (
    Rule(
        "referral-decision",
        "Decide on the referral and tell the referrer",
        (E.REFERRAL_RECEIVED,),
        Due(base="due_at"),  # 17:00 the next working day; the same day if urgent
        Owner.FRONT_DOOR,
        (E.REFERRAL_DECIDED,),
        f"{WT}, chapter 3 (referral): the local authority decides within one working day "
        "what response is needed, and tells the referrer",
        same="referral_id",
    ),
    Rule(
        "assessment",
        "Complete the assessment",
        (E.REFERRAL_DECIDED,),
        Due(working_days=45, base="received_on"),
        Owner.SOCIAL_WORKER,
        (E.ASSESSMENT_COMPLETED,),
        f"{WT}, chapter 3 (assessment): no longer than 45 working days from the referral",
        when="assess",
    ),
    Rule(
        "initial-conference",
        "Hold the initial child-protection conference",
        (E.STRATEGY_DISCUSSION,),
        Due(working_days=15),
        Owner.SOCIAL_WORKER,
        (E.INITIAL_CONFERENCE,),
        f"{WT}, chapter 3 (initial child protection conferences): within 15 working days of "
        "the strategy discussion at which section 47 enquiries began",
        when="section_47",
    ),
    Rule(
        "first-core-group",
        "Hold the first core group meeting",
        (E.INITIAL_CONFERENCE,),
        Due(working_days=10, setting="FIRST_CORE_GROUP_WORKING_DAYS"),
        Owner.SOCIAL_WORKER,
        (E.CORE_GROUP,),
        "Local safeguarding procedures (a common default, not a Working Together figure): "
        "within 10 working days of the initial conference",
        when="plan_made",
        cancelled_by=(E.PLAN_ENDED,),
    ),
    Rule(
        "first-review-conference",
        "Hold the first review child-protection conference",
        (E.INITIAL_CONFERENCE,),
        Due(months=3),
        Owner.SOCIAL_WORKER,
        (E.REVIEW_CONFERENCE,),
        f"{WT}, chapter 3 (child protection review conferences): within three months of the "
        "initial conference",
        when="plan_made",
        cancelled_by=(E.PLAN_ENDED,),
    ),
    Rule(
        "review-conference",
        "Hold the next review child-protection conference",
        (E.REVIEW_CONFERENCE,),
        Due(months=6),
        Owner.SOCIAL_WORKER,
        (E.REVIEW_CONFERENCE,),
        f"{WT}, chapter 3 (child protection review conferences): then at intervals of not "
        "more than six months",
        when="plan_continues",
        cancelled_by=(E.PLAN_ENDED,),
    ),
    Rule(
        "first-looked-after-review",
        "Hold the first looked-after review",
        (E.LOOKED_AFTER,),
        Due(working_days=20),
        Owner.SOCIAL_WORKER,
        (E.LOOKED_AFTER_REVIEW,),
        "Care Planning, Placement and Case Review (England) Regulations 2010, regulation 33(1)",
        cancelled_by=(E.LOOKED_AFTER_ENDED,),
    ),
    Rule(
        "second-looked-after-review",
        "Hold the second looked-after review",
        (E.LOOKED_AFTER_REVIEW,),
        Due(months=3),
        Owner.SOCIAL_WORKER,
        (E.LOOKED_AFTER_REVIEW,),
        "Care Planning, Placement and Case Review (England) Regulations 2010, regulation 33(2)",
        when="first_review",
        cancelled_by=(E.LOOKED_AFTER_ENDED,),
    ),
    Rule(
        "looked-after-review",
        "Hold the next looked-after review",
        (E.LOOKED_AFTER_REVIEW,),
        Due(months=6),
        Owner.SOCIAL_WORKER,
        (E.LOOKED_AFTER_REVIEW,),
        "Care Planning, Placement and Case Review (England) Regulations 2010, regulation 33(2)",
        when="later_review",
        cancelled_by=(E.LOOKED_AFTER_ENDED,),
    ),
    Rule(
        "supervision-order-conference",
        "Hold a child-protection conference to decide whether a plan is needed",
        (E.SUPERVISION_ORDER_MADE,),
        Due(working_days=15, setting="SUPERVISION_ORDER_CONFERENCE_WORKING_DAYS"),
        Owner.SOCIAL_WORKER,
        (E.INITIAL_CONFERENCE, E.REVIEW_CONFERENCE),
        f"{REVIEW}: a supervision order at the end of proceedings is followed by a "
        "conference on whether the child needs a plan",
        explanation="Without it, nobody decides who watches over the child under the order.",
    ),
    Rule(
        "supervision-order-allocation",
        "Allocate a social worker for the supervision order",
        (E.SUPERVISION_ORDER_MADE,),
        Due(working_days=1),
        Owner.LOCAL_AUTHORITY,
        (E.SOCIAL_WORKER_ALLOCATED,),
        f"{REVIEW}: the case stays allocated to a social worker for as long as the order runs",
        when="not_allocated",
    ),
    Rule(
        "supervision-order-review",
        "Hold a multi-agency supervision-order review",
        (E.SUPERVISION_ORDER_MADE, E.SUPERVISION_ORDER_REVIEW),
        Due(months=3, setting="SUPERVISION_ORDER_REVIEW_MONTHS"),
        Owner.SOCIAL_WORKER,
        (E.SUPERVISION_ORDER_REVIEW,),
        f"{REVIEW}: without a plan, the agencies review the order together at a regular "
        "interval (three months unless local procedures say otherwise)",
        when="no_plan",
        cancelled_by=(E.PLAN_STARTED, E.SUPERVISION_ORDER_ENDED),
    ),
    Rule(
        "supervision-order-extension",
        "Meet to decide whether to apply to extend the supervision order",
        (E.SUPERVISION_ORDER_MADE, E.SUPERVISION_ORDER_EXTENDED),
        Due(months_before=1, base="ends_on"),
        Owner.SOCIAL_WORKER,
        (E.EXTENSION_MEETING,),
        f"{REVIEW}: a multi-agency meeting one month before the order expires decides "
        "whether to apply for an extension (Children Act 1989, schedule 3, paragraph 6)",
        cancelled_by=(E.SUPERVISION_ORDER_ENDED, E.SUPERVISION_ORDER_EXTENDED),
        same="order_id",
    ),
    Rule(
        "proceedings-outcome-notice",
        "Tell every agency involved the outcome of the proceedings, in writing",
        (E.PROCEEDINGS_CONCLUDED,),
        Due(working_days=1),
        Owner.LOCAL_AUTHORITY,
        (E.OUTCOME_NOTICE_SENT,),
        f"{REVIEW}: written notice of the outcome to every agency involved",
        same="order_id",
    ),
    Rule(
        "proceedings-legal-memorandum",
        "Send the agencies a memorandum on what the order means and how to seek an extension",
        (E.PROCEEDINGS_CONCLUDED,),
        Due(working_days=5, setting="LEGAL_MEMORANDUM_WORKING_DAYS"),
        Owner.LEGAL,
        (E.LEGAL_MEMORANDUM_SENT,),
        f"{REVIEW}: legal services explain the order to the agencies",
        when="order_made",
    ),
    Rule(
        "emergency-protection-order-expiry",
        "Decide what happens before the emergency protection order ends",
        (E.EPO_MADE,),
        Due(base="ends_on"),
        Owner.LOCAL_AUTHORITY,
        (E.EPO_ENDED,),
        "Children Act 1989, section 45(1), (4) to (6): at most 8 days, and one extension of "
        "at most 7",
        same="order_id",
    ),
    Rule(
        "police-protection-expiry",
        "Police protection ends after 72 hours: make sure the child is safe by then",
        (E.POLICE_PROTECTION,),
        Due(base="ends_at"),
        Owner.RECORDER,
        (E.POLICE_PROTECTION_ENDED,),
        "Children Act 1989, section 46(6): no child may be kept in police protection for "
        "more than 72 hours",
        same="order_id",
    ),
    Rule(
        "placement-review",
        "Review the placement with the agencies and the facility",
        (E.PLACEMENT_STARTED, E.PLACEMENT_REVIEWED),
        Due(base="next_review_on"),
        Owner.SOCIAL_WORKER,
        (E.PLACEMENT_REVIEWED,),
        f"{REVIEW}: a placement runs to the review schedule in its written agreement",
        cancelled_by=(E.PLACEMENT_ENDED, E.PLACEMENT_ENDED_EARLY),
        same="placement_id",
    ),
    Rule(
        "placement-ended-early",
        "Hold a multi-agency meeting after the placement ended early",
        (E.PLACEMENT_ENDED_EARLY,),
        Due(working_days=5, setting="PLACEMENT_ENDED_EARLY_WORKING_DAYS"),
        Owner.SOCIAL_WORKER,
        (E.MEETING_HELD, E.EXTENSION_MEETING, E.STRATEGY_DISCUSSION),
        f"{REVIEW}: a placement that ends earlier than planned is reviewed by the agencies "
        "together, against its exit strategy",
    ),
    Rule(
        "risk-review",
        "Review the risk",
        (E.RISK_REVIEW_SET,),
        Due(base="review_date"),
        Owner.RECORDER,
        (E.RISK_REVIEWED,),
        "Threadline: every risk factor has a review date (docs/risks.md)",
        same="risk_id",
    ),
    Rule(
        "serious-incident-notification",
        "Notify the serious incident to the national Panel",
        (E.SERIOUS_INCIDENT_AWARE,),
        Due(working_days=5),
        Owner.LOCAL_AUTHORITY,
        (E.SERIOUS_INCIDENT_NOTIFIED,),
        "Children Act 2004, section 16C; "
        f"{WT}, chapter 5 (notifiable incidents): the local authority notifies the Child "
        "Safeguarding Practice Review Panel within five working days of becoming aware",
        same="review_id",
    ),
    Rule(
        "rapid-review",
        "Complete the rapid review and send it to the Panel",
        (E.SERIOUS_INCIDENT_AWARE,),
        Due(working_days=15),
        Owner.PARTNERSHIP,
        (E.RAPID_REVIEW_COMPLETED,),
        f"{WT}, chapter 5 (rapid reviews): the safeguarding partners complete a rapid review "
        "within 15 working days of becoming aware of the incident",
        same="review_id",
        explanation="Sources differ on whether the 15 working days run from awareness or "
        "from notification; Threadline counts from awareness, the earlier, and keeps both "
        "dates on the review.",
    ),
    Rule(
        "review-publication",
        "Publish the local child safeguarding practice review",
        (E.LCSPR_DECIDED,),
        Due(months=6),
        Owner.PARTNERSHIP,
        (E.REVIEW_PUBLISHED,),
        "Child Safeguarding Practice Review and Relevant Agency (England) Regulations 2018; "
        f"{WT}, chapter 5 (local child safeguarding practice reviews): the final report is "
        "published within six months of the decision to hold the review",
        same="review_id",
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
RULES_BY_TRIGGER: dict[str, list[Rule]] = {}
for _rule in RULES:
    for _kind in _rule.triggers:
        RULES_BY_TRIGGER.setdefault(_kind, []).append(_rule)


def describe_rule(rule: Rule) -> dict:
    """A rule in words, as the catalogue page, the API and docs/rules.md show it."""
    kinds = dict(E.choices)
    return {
        "id": rule.id,
        "title": rule.title,
        "trigger": " or ".join(kinds[k] for k in rule.triggers),
        "applies": CONDITIONS[rule.when][0] if rule.when else "always",
        "due": rule.due.describe(),
        "owner": OWNER_LABELS[rule.owner],
        "done_when": " or ".join(kinds[k] for k in rule.satisfied_by),
        "not_needed_when": " or ".join(kinds[k] for k in rule.cancelled_by),
        "setting": rule.due.setting,
        "source": rule.source,
    }


def catalogue_markdown() -> str:
    """docs/rules.md: generated by `threadline clock rules`, checked by the tests."""
    lines = [
        "# The rule catalogue",
        "",
        "Generated from `src/threadline/timescales/rules.py` by `threadline clock rules`;",
        "do not edit by hand. Each rule turns an event into a task with an owner and a due",
        "date (working days exclude weekends, England and Wales bank holidays and",
        "LOCAL_CLOSURE_DAYS). docs/rule-sources.md has the research behind the sources.",
        "",
    ]
    for rule in RULES:
        d = describe_rule(rule)
        lines += [f"## {d['title']}", "", f"`{d['id']}`", ""]
        lines += [
            f"- **Starts:** {d['trigger']}"
            + ("" if d["applies"] == "always" else f", when {d['applies']}"),
            f"- **Due:** {d['due']}" + (f" (setting `{d['setting']}`)" if d["setting"] else ""),
            f"- **Whose task:** {d['owner']}",
            f"- **Done when:** {d['done_when']}",
        ]
        if d["not_needed_when"]:
            lines.append(f"- **No longer needed when:** {d['not_needed_when']}")
        lines += [f"- **Source:** {d['source']}", ""]
    return "\n".join(lines)

"""The access policy: the one place that decides who may see and change case data.

Every view, API endpoint, search and export starts from `people_visible_to` /
`cases_visible_to` (the queryset filter) or `get_person_for` / `get_case_for` (the
object check). A record the actor may not see does not exist for them: 404, never 403.

Need-to-know (docs/security.md):
- a practitioner sees a child when their agency, or they themselves, are in the network
  of the child's open case (an involvement in force today), or they are the case's lead
  professional or allocated social worker, or an approved access request or a
  break-glass in force names them and the child;
- a front-door officer sees every child whose case their local authority holds, and
  every person recorded by an agency of their area;
- everyone sees the people their own agency recorded;
- adults (and other children) are seen through a relationship to a child the actor sees;
- an administrator without an agency sees no case data;
- a referral is seen by its referrer, their agency's safeguarding lead, whoever sees the
  child, and the front door it was made to (`referrals_visible_to`).

Within a record, each agency's information (`SharedRecord` rows) is seen by that agency,
by agencies a sharing agreement in force lets see that category, by a requester whose
access request for it was approved, and by a practitioner under break-glass; restricted
rows only by the people named on them (`shared_records`). A chronology entry is such
information about each child it is about, read by those who may see one of them
(`chronology_visible_to`), and amended only by the agency that recorded it. A risk factor
is such information about its subject and about every child it touches
(`risks_visible_to`, `risks_shared_with`); the recording agency reviews and closes it, a
closure signed off by its team manager or safeguarding lead.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Now
from django.http import Http404
from django.utils import timezone

from threadline.agencies.models import Agency, AgencyType, Practitioner, Role
from threadline.cases.models import Allocation, Case, Involvement
from threadline.chronology.models import ChronologyEntry, EntryChild
from threadline.linkage.models import MatchCandidate, SourceRecord
from threadline.meetings.models import Invitation, Meeting
from threadline.notices.models import NoticeRecipient
from threadline.orders.models import LegalOrder
from threadline.people.models import Person, Relationship
from threadline.people.phonetic import fold
from threadline.people.validators import normalise_nhs_number
from threadline.referrals.models import Referral
from threadline.reviews.models import AgencyReport, PanelMember, Recommendation, Review
from threadline.risks.models import RiskFactor
from threadline.timescales.models import Task

from .models import (
    AccessRequest,
    AccessRequestStatus,
    AgreementCategory,
    BreakGlass,
    Confidentiality,
)

# The filters are correlated EXISTS subqueries: checking one record, or the few people on
# a child's page, costs a few index lookups however many children the actor can reach
# (docs/benchmarks.md has the measurements that chose this shape).


def _case_reach(actor: Practitioner) -> Q:
    """On Case rows: open cases whose network names the actor or their agency today, that
    they are allocated to or lead, that their front door holds, or under break-glass."""
    today = timezone.localdate()
    in_network = (
        Involvement.objects.filter(case=OuterRef("pk"))
        .as_of(today)
        .filter(Q(agency_id=actor.agency_id) | Q(practitioner=actor))
    )
    allocated = Allocation.objects.filter(case=OuterRef("pk"), social_worker=actor).as_of(today)
    # Break-glass opens the whole record, the network included: whom to call.
    glass = _break_glass(actor).filter(person_id=OuterRef("child_id"))
    reach = Q(Exists(in_network)) | Q(Exists(allocated)) | Q(lead_professional=actor)
    reach |= Q(Exists(glass))
    if actor.role == Role.FRONT_DOOR_OFFICER:
        reach |= Q(local_authority_id=actor.agency_id)
    return Q(closed_on__isnull=True) & reach


def cases_visible_to(actor: Practitioner) -> QuerySet[Case]:
    if not actor.is_authenticated or actor.agency_id is None:
        return Case.objects.none()
    return Case.objects.filter(_case_reach(actor))


def _approved_requests(actor: Practitioner) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(
        requester=actor,
        status=AccessRequestStatus.APPROVED,
        expires_on__gte=timezone.localdate(),
    )


def _break_glass(actor: Practitioner) -> QuerySet[BreakGlass]:
    # The database's clock, so a compiled check (`_person_check`) stays true to the minute.
    return BreakGlass.objects.filter(actor=actor, expires_at__gt=Now())


def _child_reach(actor: Practitioner, child) -> Q:
    """The person `child` (an OuterRef) is a child the actor reaches directly."""
    return (
        Q(Exists(Case.objects.filter(child_id=child).filter(_case_reach(actor))))
        | Q(Exists(_approved_requests(actor).filter(child_id=child)))
        | Q(Exists(_break_glass(actor).filter(person_id=child)))
    )


# The filter's Q, built once per actor, role and day, like the compiled checks below:
# building its nested EXISTS took a fifth of the child page's time, four times a page
# (docs/benchmarks.md, "Load"). Django copies a Q's expressions when a query uses it, so
# one Q serves every query; what it depends on is read by the SQL when it runs.
_person_reaches: dict[tuple, Q] = {}


def _person_reach(actor: Practitioner) -> Q:
    """On Person rows: the people the actor may see (the rules in the module docstring)."""
    key = (actor.pk, actor.agency_id, actor.role, timezone.localdate())
    reach = _person_reaches.get(key)
    if reach is None:
        if len(_person_reaches) >= 10_000:
            _person_reaches.clear()
        reach = _person_reaches[key] = _build_person_reach(actor)
    return reach


def _build_person_reach(actor: Practitioner) -> Q:
    related_as_a = Relationship.objects.filter(person_a=OuterRef("pk")).filter(
        _child_reach(actor, OuterRef("person_b"))
    )
    related_as_b = Relationship.objects.filter(person_b=OuterRef("pk")).filter(
        _child_reach(actor, OuterRef("person_a"))
    )
    reach = (
        _child_reach(actor, OuterRef("pk"))
        | Q(Exists(related_as_a))
        | Q(Exists(related_as_b))
        | Q(recorded_by_agency_id=actor.agency_id)
    )
    if actor.role == Role.FRONT_DOOR_OFFICER:
        # The area is read by the query (a compiled check follows an agency moved between
        # areas) and through a subquery, not a join: `_person_check` compiles the filter alone.
        own_area = Agency.objects.filter(pk=actor.agency_id).values("area")[:1]
        reach |= Q(recorded_by_agency__in=Agency.objects.filter(area=own_area))
    return reach


def people_visible_to(actor: Practitioner) -> QuerySet[Person]:
    if not actor.is_authenticated or actor.agency_id is None:
        return Person.objects.none()
    return Person.objects.filter(_person_reach(actor))


# Building the nested EXISTS costs the ORM about ten times what running it costs the
# database (docs/benchmarks.md), and every page checks the people it shows. The checks
# below run the same filter, compiled once per actor, role and day: everything else it
# depends on (involvements, agreements, requests, break-glass, the clock) is read by the
# SQL when it runs. Only for queries on the person table itself; subqueries and lists use
# `people_visible_to`, which Django can re-alias.
_compiled_checks: dict[tuple, RawSQL] = {}


def _person_check(actor: Practitioner) -> RawSQL:
    db = Person.objects.db
    key = (connections[db].vendor, actor.pk, actor.agency_id, actor.role, timezone.localdate())
    check = _compiled_checks.get(key)
    if check is None:
        query = people_visible_to(actor).query
        if sum(1 for count in query.alias_refcount.values() if count) > 1:
            raise RuntimeError("The person filter must not join: its WHERE is compiled alone.")
        sql, params = query.get_compiler(using=db).compile(query.where)
        if len(_compiled_checks) >= 10_000:
            _compiled_checks.clear()
        check = _compiled_checks[key] = RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 SQL Django compiled, with its params
    return check


class _SeesPerson(Expression):
    """`column` (the id of a person, on the model being filtered) names a person the
    actor may see: the compiled check in an EXISTS over the person table, which the
    check's SQL names unaliased, so it binds there however the outer query is aliased.
    Building `Exists(people_visible_to(actor).filter(pk=OuterRef(column)))` instead costs
    the ORM a fresh copy of the nested filter per query (a third of the child page's
    time, docs/benchmarks.md "Load"); the column is an ordinary expression, re-aliased
    when the query becomes a subquery."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, check: RawSQL, column):
        super().__init__()
        self.check, self.column = check, column

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        person = connection.ops.quote_name(Person._meta.db_table)
        key = connection.ops.quote_name(Person._meta.pk.column)
        # Names and SQL Django compiled; the values are parameters.
        sql = f"EXISTS (SELECT 1 FROM {person} WHERE {person}.{key} = {column} AND ({self.check.sql}))"  # noqa: E501, S608
        return sql, [*params, *self.check.params]


def sees_person(actor: Practitioner, column: str) -> _SeesPerson:
    """On any model: the person its `column` points at is one the actor may see."""
    return _SeesPerson(_person_check(actor), F(column))


def _checked_people(actor: Practitioner) -> QuerySet[Person]:
    if not actor.is_authenticated or actor.agency_id is None:
        return Person.objects.none()
    return Person.objects.filter(_person_check(actor))


def visible_among(actor: Practitioner, person_ids) -> set:
    """Which of these people the actor may see: for pages that show the few people
    around one person (filtering by the whole visible set would scan every person)."""
    ids = set(person_ids)
    if not ids:
        return set()
    return set(_checked_people(actor).filter(pk__in=ids).values_list("pk", flat=True))


# Set by `get_person_for` on the instance it returns: who it was checked for, and when.
_CHECKED_FOR = "_policy_checked_for"


def get_person_for(actor: Practitioner, person_id) -> Person:
    """The person, or 404 if the actor may not see them (or they do not exist)."""
    try:
        person = _checked_people(actor).get(pk=person_id)
    except (Person.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such person") from exc
    setattr(person, _CHECKED_FOR, (actor.pk, timezone.localdate()))
    return person


def checked_for(actor: Practitioner, person: Person) -> bool:
    """`person` is an instance `get_person_for` returned to this actor today: a page
    about them (the route checked them) reads their orders, meetings and risks without
    asking the database again. The person check costs more to plan than to run (2.9 ms
    against 0.4 ms on PostgreSQL; a prepared statement plans it once per connection),
    and the child page would ask it for each section."""
    return getattr(person, _CHECKED_FOR, None) == (actor.pk, timezone.localdate())


def get_case_for(actor: Practitioner, case_id) -> Case:
    try:
        return cases_visible_to(actor).select_related("child").get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such case") from exc


def can_manage_case(actor: Practitioner, case: Case) -> bool:
    """Allocation, lead professional and the network are managed by the holding local
    authority's staff (seeing a case is not enough to change who works on it)."""
    return actor.agency_id == case.local_authority_id


def can_edit_person(actor: Practitioner, person: Person) -> bool:
    """Identity details are corrected by the agency that recorded the person or the local
    authority holding their open case; every agency in reach may add what it knows
    (addresses, relationships, names) but not rewrite another agency's record."""
    if actor.agency_id is None:
        return False
    if person.recorded_by_agency_id == actor.agency_id:
        return True
    return Case.objects.filter(
        child=person, closed_on__isnull=True, local_authority_id=actor.agency_id
    ).exists()


def can_record_person(actor: Practitioner) -> bool:
    """Any agency's practitioner may record a person (their agency then sees them); an
    administrator without an agency never records case data."""
    return actor.is_authenticated and actor.agency_id is not None


def can_open_case(actor: Practitioner) -> bool:
    """Cases are opened, and then held, by a local authority's children's social care."""
    return (
        actor.is_authenticated
        and actor.agency is not None
        and actor.agency.agency_type == AgencyType.CHILDRENS_SOCIAL_CARE
    )


def _shared_with(actor: Practitioner, *, agency_field: str, about: Callable[[object], Q]) -> Q:
    """The sharing rule of `shared_records`, before confidentiality: their own agency's
    rows, those a sharing agreement in force lets their agency see, those an approved
    access request covers, and everything about a child under their break-glass.
    `about(children)` filters rows about one of these children (ids, or a subquery)."""
    today = timezone.localdate()
    visible = Q(**{agency_field: actor.agency_id})
    granted = AgreementCategory.objects.filter(
        agreement__recipient_id=actor.agency_id,
        agreement__from_date__lte=today,
        agreement__to_date__gte=today,
    ).values_list("agreement__provider_id", "category")
    for provider_id, category in set(granted):
        visible |= Q(**{agency_field: provider_id, "category": category})
    for child_id, provider_id, category in _approved_requests(actor).values_list(
        "child_id", "provider_id", "category"
    ):
        visible |= about([child_id]) & Q(**{agency_field: provider_id, "category": category})
    return visible | about(_break_glass(actor).values("person_id"))


def _unless_restricted(actor: Practitioner, model, visible: Q) -> Q:
    """Normal rows by the sharing rule; restricted rows only for the people named on them."""
    named = model.restricted_to.through.objects.filter(practitioner_id=actor.pk).values(
        f"{model._meta.model_name}_id"
    )
    return (Q(confidentiality=Confidentiality.NORMAL) & visible) | Q(pk__in=named)


def shared_records(
    actor: Practitioner, queryset: QuerySet, *, agency_field: str, child_field: str
) -> QuerySet:
    """The rows of a `SharedRecord` queryset the actor may see: their own agency's, those
    a sharing agreement in force lets their agency see, those an approved access request
    covers, and everything about a child under their break-glass. Restricted rows: only
    the people named on them."""
    if not actor.is_authenticated or actor.agency_id is None:
        return queryset.none()
    visible = _shared_with(
        actor,
        agency_field=agency_field,
        about=lambda children: Q(**{f"{child_field}__in": children}),
    )
    return queryset.filter(_unless_restricted(actor, queryset.model, visible))


def _entry_about(children) -> Q:
    """On ChronologyEntry rows: the entry is about one of these children."""
    return Q(Exists(EntryChild.objects.filter(entry=OuterRef("pk"), child_id__in=children)))


def chronology_shared_with(
    actor: Practitioner, entries: QuerySet[ChronologyEntry]
) -> QuerySet[ChronologyEntry]:
    """Of entries about children the actor may see (a child's page has checked the child
    with `get_person_for`), those they may read: the recording agency's information, by
    the `shared_records` rule, an entry being about each of its children."""
    if not actor.is_authenticated or actor.agency_id is None:
        return entries.none()
    visible = _shared_with(actor, agency_field="agency_id", about=_entry_about)
    return entries.filter(_unless_restricted(actor, ChronologyEntry, visible))


def chronology_visible_to(actor: Practitioner) -> QuerySet[ChronologyEntry]:
    """Every chronology entry the actor may read: about a child they may see, and
    shared with them (`chronology_shared_with`). For one child's entries, check the
    child and use `chronology_shared_with`: it avoids the person filter per entry."""
    if not actor.is_authenticated or actor.agency_id is None:
        return ChronologyEntry.objects.none()
    about_seen = EntryChild.objects.filter(entry=OuterRef("pk")).filter(
        sees_person(actor, "child_id")
    )
    return chronology_shared_with(actor, ChronologyEntry.objects.filter(Exists(about_seen)))


def get_entry_for(actor: Practitioner, entry_id, *, child: Person | None = None) -> ChronologyEntry:
    """The entry, or 404 if the actor may not read it (or it does not exist); with
    `child` (already checked), only an entry about that child."""
    if child is None:
        entries = chronology_visible_to(actor)
    else:
        entries = chronology_shared_with(
            actor, ChronologyEntry.objects.filter(child_links__child=child)
        )
    try:
        return entries.select_related("agency", "author", "entered_in_error_by").get(pk=entry_id)
    except (ChronologyEntry.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such chronology entry") from exc


def can_amend_entry(actor: Practitioner, entry: ChronologyEntry) -> bool:
    """An entry is the recording agency's: only its staff amend it or mark it as entered
    in error (others who read it ask that agency)."""
    return actor.is_authenticated and actor.agency_id == entry.agency_id


def agencies_sharing(actor: Practitioner, category: str) -> set:
    """The agencies whose information of `category` the actor's agency reads today: its
    own, and every provider of a sharing agreement in force for that category."""
    if not actor.is_authenticated or actor.agency_id is None:
        return set()
    today = timezone.localdate()
    providers = AgreementCategory.objects.filter(
        category=category,
        agreement__recipient_id=actor.agency_id,
        agreement__from_date__lte=today,
        agreement__to_date__gte=today,
    ).values_list("agreement__provider_id", flat=True)
    return {actor.agency_id, *providers}


def risks_visible_to(actor: Practitioner) -> QuerySet[RiskFactor]:
    """Every risk the actor may read: about a person they may see, and shared with them
    by the `shared_records` rule (an access request or break-glass about a child covers
    the risks about that child)."""
    if not actor.is_authenticated or actor.agency_id is None:
        return RiskFactor.objects.none()
    return _shared_risks(actor, RiskFactor.objects.filter(sees_person(actor, "subject_id")))


def risks_about_person(actor: Practitioner, person: Person) -> QuerySet[RiskFactor]:
    """The risks about `person`, by the `risks_visible_to` rule."""
    if not checked_for(actor, person):
        return risks_visible_to(actor).filter(subject=person)
    return _shared_risks(actor, RiskFactor.objects.filter(subject=person))


def _shared_risks(actor: Practitioner, risks: QuerySet[RiskFactor]) -> QuerySet[RiskFactor]:
    """Of these risks, those the `shared_records` rule lets the actor read."""
    return shared_records(actor, risks, agency_field="source_agency_id", child_field="subject_id")


def risks_shared_with(
    actor: Practitioner, risks: QuerySet[RiskFactor], *, child: Person
) -> QuerySet[RiskFactor]:
    """Of risks touching `child` (whom the actor may see: the page checked), those the
    actor may read. A risk touching a child is information about that child: shared by
    the `shared_records` rule, an access request or break-glass about the child covering
    it, whoever its subject is."""
    if not actor.is_authenticated or actor.agency_id is None:
        return risks.none()

    def about(children) -> Q:
        return Q(Exists(Person.objects.filter(pk=child.pk, pk__in=children)))

    visible = _shared_with(actor, agency_field="source_agency_id", about=about)
    return risks.filter(_unless_restricted(actor, RiskFactor, visible))


def can_change_risk(actor: Practitioner, risk: RiskFactor) -> bool:
    """A risk is the recording agency's: only its staff review it or ask to close it."""
    return actor.is_authenticated and actor.agency_id == risk.source_agency_id


# Who signs off the closure of their agency's risks.
RISK_SIGN_OFF_ROLES = (Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD)


def can_sign_off_risks(actor: Practitioner) -> bool:
    return (
        actor.is_authenticated and actor.agency_id is not None and actor.role in RISK_SIGN_OFF_ROLES
    )


def orders_visible_to(actor: Practitioner) -> QuerySet[LegalOrder]:
    """A child's legal status is for every agency that may see the child: knowing that a
    child is on a plan or under an order, and who is responsible, is what keeps them safe."""
    if not actor.is_authenticated or actor.agency_id is None:
        return LegalOrder.objects.none()
    return LegalOrder.objects.filter(sees_person(actor, "child_id"))


def orders_about(actor: Practitioner, child: Person) -> QuerySet[LegalOrder]:
    """The child's orders, by the `orders_visible_to` rule."""
    if checked_for(actor, child):
        return LegalOrder.objects.filter(child=child)
    return orders_visible_to(actor).filter(child=child)


def tasks_visible_to(actor: Practitioner) -> QuerySet[Task]:
    """The statutory clock's tasks about people the actor may see, and their own."""
    if not actor.is_authenticated or actor.agency_id is None:
        return Task.objects.none()
    return Task.objects.filter(Q(sees_person(actor, "child_id")) | Q(owner=actor))


def can_record_order(actor: Practitioner, order_type: str) -> bool:
    """Children's social care and local-authority legal services record a child's plans,
    orders and proceedings; the police record police protection (and social care may)."""
    if not actor.is_authenticated or actor.agency is None:
        return False
    kind = actor.agency.agency_type
    if order_type == "police_protection" and kind == AgencyType.POLICE:
        return True
    return kind in (AgencyType.CHILDRENS_SOCIAL_CARE, AgencyType.LOCAL_AUTHORITY_LEGAL)


def records_orders(actor: Practitioner) -> bool:
    """The actor's agency records some kind of plan or order (the police: protection)."""
    return any(can_record_order(actor, kind) for kind in ("care_order", "police_protection"))


def can_record_meetings(actor: Practitioner) -> bool:
    """Children's social care and legal services record the conferences, reviews,
    assessments and memoranda the statutory clock waits for (until the meetings app
    records its own)."""
    return can_record_order(actor, "care_order")


def meetings_visible_to(actor: Practitioner) -> QuerySet[Meeting]:
    """Meetings about a child the actor may see, and those their agency is invited to
    (an invitation is itself the sharing act, as a notice is)."""
    if not actor.is_authenticated or actor.agency_id is None:
        return Meeting.objects.none()
    about_seen = Meeting.children.through.objects.filter(meeting_id=OuterRef("pk")).filter(
        sees_person(actor, "person_id")
    )
    invited = Invitation.objects.filter(meeting_id=OuterRef("pk"), agency_id=actor.agency_id)
    return Meeting.objects.filter(Q(Exists(about_seen)) | Q(Exists(invited)))


def meetings_about(actor: Practitioner, child: Person) -> QuerySet[Meeting]:
    """The child's meetings, by the `meetings_visible_to` rule (all of them, for an actor
    who may see the child)."""
    if checked_for(actor, child):
        return Meeting.objects.filter(children=child)
    return meetings_visible_to(actor).filter(children=child)


def is_invited(actor: Practitioner, meeting: Meeting) -> bool:
    """The actor's agency is invited to the meeting (and so reports to it)."""
    return (
        actor.is_authenticated
        and actor.agency_id is not None
        and meeting.invitations.filter(agency_id=actor.agency_id).exists()
    )


def can_manage_meeting(actor: Practitioner, meeting: Meeting) -> bool:
    """Attendance, the outcome and cancelling are for the arranging authority's social
    care and legal staff."""
    return can_record_meetings(actor) and actor.agency_id == meeting.local_authority_id


def can_read_meeting_reports(actor: Practitioner, meeting: Meeting) -> bool:
    """Agencies' reports to a meeting are shared with the agencies invited to it (the
    arranging authority always is), not with everyone who may see the child."""
    return is_invited(actor, meeting)


def can_open_review(actor: Practitioner) -> bool:
    """A safeguarding partnership's officers open and run its case reviews."""
    return (
        actor.is_authenticated
        and actor.agency is not None
        and actor.agency.agency_type == AgencyType.PARTNERSHIP
        and actor.role == Role.PARTNERSHIP_OFFICER
    )


def can_manage_review(actor: Practitioner, review: Review) -> bool:
    """The partnership running the review: its officers request and assure reports,
    record recommendations, accept evidence and close actions."""
    return can_open_review(actor) and actor.agency_id == review.partnership_id


def reviews_visible_to(actor: Practitioner) -> QuerySet[Review]:
    """A review is seen by the partnership running it, its panel, and the agencies it
    asked for a report or addressed a recommendation to (to respond, they must know
    which review and which children)."""
    if not actor.is_authenticated or actor.agency_id is None:
        return Review.objects.none()
    on_panel = PanelMember.objects.filter(review_id=OuterRef("pk"), practitioner_id=actor.pk)
    asked = AgencyReport.objects.filter(review_id=OuterRef("pk"), agency_id=actor.agency_id)
    addressed = Recommendation.objects.filter(
        review_id=OuterRef("pk"), addressed_to_id=actor.agency_id
    )
    return Review.objects.filter(
        Q(partnership_id=actor.agency_id) | Exists(on_panel) | Exists(asked) | Exists(addressed)
    )


def can_read_review_chronology(actor: Practitioner, review: Review) -> bool:
    """The review chronology (what every agency recorded about the subject children and
    their households in the scope period) is read by the review's panel and the
    partnership's officers: the partnership's power to require information for a review
    (Children Act 2004, section 16H), not the agencies' day-to-day sharing."""
    return can_manage_review(actor, review) or (
        actor.is_authenticated and review.panel.filter(practitioner_id=actor.pk).exists()
    )


def can_read_agency_report(actor: Practitioner, report: AgencyReport) -> bool:
    """An agency's management review is read by the panel and the partnership's officers,
    and by the agency that wrote it."""
    return can_read_review_chronology(actor, report.review) or (
        actor.is_authenticated and actor.agency_id == report.agency_id
    )


def can_add_review_entry(actor: Practitioner, review: Review) -> bool:
    """The panel, the partnership's officers and the agencies asked for a report add to
    the review chronology."""
    return can_read_review_chronology(actor, review) or (
        actor.is_authenticated
        and actor.agency_id is not None
        and review.agency_reports.filter(agency_id=actor.agency_id).exists()
    )


RESPONDING_ROLES = (Role.SAFEGUARDING_LEAD, Role.TEAM_MANAGER, Role.PARTNERSHIP_OFFICER)


def can_respond_for(actor: Practitioner, agency_id) -> bool:
    """An agency's safeguarding leads and team managers write its management report and
    its action plan (and a partnership's officers, for recommendations to the partnership)."""
    return (
        actor.is_authenticated
        and agency_id is not None
        and actor.agency_id == agency_id
        and actor.role in RESPONDING_ROLES
    )


def find_for_break_glass(
    *, nhs_number: str = "", name: str = "", date_of_birth=None
) -> Person | None:
    """The one person exactly matching an NHS number, or a full name and date of birth —
    outside need-to-know, so no fuzzy matching and no list: zero or several matches
    give nothing."""
    if nhs_number:
        matches = Person.objects.filter(nhs_number=normalise_nhs_number(nhs_number))
    elif name and date_of_birth:
        words = name.split()
        if len(words) < 2:
            return None
        matches = Person.objects.filter(
            date_of_birth=date_of_birth,
            names__given_folded=fold(" ".join(words[:-1])),
            names__family_folded=fold(words[-1]),
        ).distinct()
    else:
        return None
    found = list(matches[:2])
    return found[0] if len(found) == 1 else None


# Who reads an agency's designated safeguarding inbox in Threadline.
AGENCY_INBOX_ROLES = (Role.SAFEGUARDING_LEAD, Role.FRONT_DOOR_OFFICER)


def reads_agency_inbox(actor: Practitioner) -> bool:
    return (
        actor.is_authenticated and actor.agency_id is not None and actor.role in AGENCY_INBOX_ROLES
    )


def notices_visible_to(actor: Practitioner) -> QuerySet[NoticeRecipient]:
    """Notice recipients the actor may read and acknowledge: those addressed to them, and
    those to their agency's inbox if they read it. A notice is itself the sharing act, so
    its recipients read it whether or not they can open the record it links to."""
    if not actor.is_authenticated:
        return NoticeRecipient.objects.none()
    mine = Q(practitioner=actor)
    if reads_agency_inbox(actor):
        mine |= Q(agency_id=actor.agency_id)
    return NoticeRecipient.objects.filter(mine)


def can_decide_access_request(actor: Practitioner, access: AccessRequest) -> bool:
    """Only a safeguarding lead of the agency asked approves or refuses."""
    return actor.role == Role.SAFEGUARDING_LEAD and actor.agency_id == access.provider_id


# Adult services: they record that an adult they work with has children (referrals/).
ADULT_SERVICES = (
    AgencyType.ADULT_SUBSTANCE_MISUSE,
    AgencyType.PROBATION,
    AgencyType.MENTAL_HEALTH,
)


def works_in_adult_services(actor: Practitioner) -> bool:
    return (
        actor.is_authenticated
        and actor.agency is not None
        and actor.agency.agency_type in ADULT_SERVICES
    )


def referrals_visible_to(actor: Practitioner) -> QuerySet[Referral]:
    """A referral is case data about its child: read by the referrer, their agency's
    safeguarding lead, anyone who may see the child, and the front door of the local
    authority it was made to."""
    if not actor.is_authenticated or actor.agency_id is None:
        return Referral.objects.none()
    reach = Q(referrer=actor) | Q(sees_person(actor, "child_id"))
    if actor.role == Role.SAFEGUARDING_LEAD:
        reach |= Q(referrer_agency_id=actor.agency_id)
    if actor.role == Role.FRONT_DOOR_OFFICER:
        reach |= Q(local_authority_id=actor.agency_id)
    return Referral.objects.filter(reach)


def can_decide_referral(actor: Practitioner, referral: Referral) -> bool:
    """Only a front-door officer of the local authority the referral was made to."""
    return (
        actor.is_authenticated
        and actor.role == Role.FRONT_DOOR_OFFICER
        and actor.agency_id == referral.local_authority_id
    )


# Identity resolution (linkage/): who decides whether two records are one person. An
# agency's safeguarding lead, for the records their agency sent, and the local
# authority's front-door officers (the multi-agency safeguarding hub), for the records of
# every agency in their area: the people who already weigh several agencies' knowledge of
# a family, and who see the people such records are matched to. Front-line practitioners
# are told "this person may already be known" when they record someone; they do not merge
# other agencies' records.
IDENTITY_DECIDERS = (Role.SAFEGUARDING_LEAD, Role.FRONT_DOOR_OFFICER)


def can_resolve_identities(actor: Practitioner) -> bool:
    return (
        actor.is_authenticated and actor.agency_id is not None and actor.role in IDENTITY_DECIDERS
    )


def match_candidates_visible_to(actor: Practitioner) -> QuerySet[MatchCandidate]:
    """The review queue's pairs the actor may see: about a record their agency sent (a
    front-door officer: any agency of their area), and a person they may see (a decision
    needs both sides; a pair about someone out of reach waits for someone who sees them)."""
    if not actor.is_authenticated or actor.agency_id is None:
        return MatchCandidate.objects.none()
    return MatchCandidate.objects.filter(_sent_by_reach(actor)).filter(
        sees_person(actor, "person_id")
    )


def _sent_by_reach(actor: Practitioner, prefix: str = "record__") -> Q:
    """Records sent by the actor's agency, or (a front-door officer) by any agency of
    their area."""
    sent = Q(**{f"{prefix}agency_id": actor.agency_id})
    if actor.role == Role.FRONT_DOOR_OFFICER:
        own_area = Agency.objects.filter(pk=actor.agency_id).values("area")[:1]
        sent |= Q(**{f"{prefix}agency__in": Agency.objects.filter(area=own_area)})
    return sent


def source_records_visible_to(actor: Practitioner) -> QuerySet[SourceRecord]:
    """The agencies' records (and their links) a decider may open: sent by their agency
    (a front-door officer: their area's agencies), and either waiting for a decision or
    linked to a person they may see."""
    if not actor.is_authenticated or actor.agency_id is None:
        return SourceRecord.objects.none()
    return SourceRecord.objects.filter(_sent_by_reach(actor, "")).filter(
        Q(person__isnull=True) | Q(sees_person(actor, "person_id"))
    )

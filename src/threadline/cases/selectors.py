"""Shared reads of cases and networks, through the access policy."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.people.models import Person
from threadline.sharing.policy import cases_visible_to, get_case_for, shared_records

from .models import Allocation, Case, Involvement


def open_case_for(*, actor: Practitioner, child: Person) -> Case | None:
    """The child's open case with the network the actor may see and the allocations."""
    return _with_network(cases_visible_to(actor).filter(child=child), actor).first()


def withheld_involvements(*, actor: Practitioner, case: Case) -> int:
    """How many current involvements the actor may not see (`case` as loaded by
    `open_case_for`): the page may say that more agencies are involved, and whom to ask,
    never which."""
    shown = [i.pk for i in case.involvements.all()]
    return Involvement.objects.filter(case=case).current().exclude(pk__in=shown).count()


def current_allocation(case: Case) -> Allocation | None:
    today = timezone.localdate()
    return next(
        (
            a
            for a in case.allocations.all()
            if a.from_date <= today and (a.to_date is None or a.to_date >= today)
        ),
        None,
    )


def my_children(actor: Practitioner) -> QuerySet[Case]:
    """Open cases where the actor is named: allocated, lead professional or in the network.

    The three ways in are one UNION of case ids, so PostgreSQL starts from the actor's few
    cases; written as three ORed conditions it checked all of them against every case
    (60–110 ms at 50,000 cases, against 5–10 ms)."""
    today = timezone.localdate()
    named = Involvement.objects.as_of(today).filter(practitioner=actor).values("case_id")
    allocated = Allocation.objects.as_of(today).filter(social_worker=actor).values("case_id")
    led = Case.objects.filter(lead_professional=actor).values("pk")
    return (
        cases_visible_to(actor)
        .filter(pk__in=named.union(allocated, led, all=True))
        .select_related("child")
        .order_by("child__family_name", "child__given_names")
    )


def _with_network(cases: QuerySet[Case], actor: Practitioner) -> QuerySet[Case]:
    """Cases with the involvements the actor may see (sharing agreements decide which
    agencies' involvement crosses agency lines) and the allocation history."""
    visible = shared_records(
        actor,
        Involvement.objects.select_related("agency", "practitioner"),
        agency_field="agency_id",
        child_field="case__child_id",
    )
    return cases.select_related(
        "child", "local_authority", "lead_agency", "lead_professional__agency"
    ).prefetch_related(
        Prefetch("involvements", queryset=visible),
        Prefetch("allocations", queryset=Allocation.objects.select_related("social_worker")),
    )


def get_case_record(*, actor: Practitioner, case_id, request=None) -> Case:
    """The case with its network and allocation history, through the policy (404 if the
    actor may not see it), with the view audited."""
    case = get_case_for(actor, case_id)
    case = _with_network(Case.objects.filter(pk=case.pk), actor).get()
    record_event(
        actor=actor,
        action=AuditAction.VIEW,
        target=case,
        child=case.child,
        summary=f"Viewed case {case.reference}",
        request=request,
    )
    return case


def list_cases(*, actor: Practitioner, request=None) -> QuerySet[Case]:
    """The cases the actor may see, newest first. Listing is audited like a search."""
    record_event(actor=actor, action=AuditAction.SEARCH, summary="Listed cases", request=request)
    return (
        cases_visible_to(actor)
        .select_related("child", "local_authority", "lead_agency", "lead_professional")
        .order_by("-opened_on", "reference")
    )

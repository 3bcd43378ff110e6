"""Who reads which entries (sharing/policy.py): those who may see a child read the entries
about them whose agency's information is shared with them — agreements by category,
approved access requests, break-glass — and restricted entries only by the people named."""

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from threadline.agencies.models import AgencyType
from threadline.chronology import selectors
from threadline.sharing.models import AccessRequest, AccessRequestStatus, BreakGlass
from threadline.sharing.policy import (
    chronology_shared_with,
    chronology_visible_to,
    get_entry_for,
)

from ..factories import (
    AgencyFactory,
    ChronologyEntryFactory,
    InvolvementFactory,
    SharingAgreementFactory,
)


@pytest.fixture
def entries(world):
    """Riley's entries: social care's, health visiting's (health), health visiting's about
    the mother's mental health (not shared), the police's (not shared), and a restricted
    social-care entry naming only the team manager."""
    police = AgencyFactory(code="nm-police", name="Northmoor Police", agency_type=AgencyType.POLICE)
    made = {
        "social_care": ChronologyEntryFactory(
            agency=world.social_care, author=world.social_worker, children=[world.child]
        ),
        "health": ChronologyEntryFactory(
            agency=world.health, author=world.health_visitor, children=[world.child]
        ),
        "mental_health": ChronologyEntryFactory(
            agency=world.health,
            author=world.health_visitor,
            category="mental_health",
            children=[world.child],
        ),
        "police": ChronologyEntryFactory(agency=police, children=[world.child]),
        "restricted": ChronologyEntryFactory(
            agency=world.social_care,
            author=world.social_worker,
            confidentiality="restricted",
            children=[world.child],
        ),
    }
    made["restricted"].restricted_to.set([world.team_manager])
    return made


def readable(actor, world, entries) -> set[str]:
    """Which of `entries` the actor reads on Riley's page and through the API list; the
    two must agree."""
    shown = {e.pk for e in selectors.entries_for(actor=actor, children=[world.child], filters=NONE)}
    listed = set(chronology_visible_to(actor).values_list("pk", flat=True))
    assert shown == listed
    return {name for name, e in entries.items() if e.pk in shown}


NONE = selectors.Filters()


def test_each_agency_reads_its_own_and_what_agreements_share(world, entries):
    assert readable(world.social_worker, world, entries) == {"social_care", "health"}
    assert readable(world.health_visitor, world, entries) == {
        "social_care",
        "health",
        "mental_health",
    }
    # Restricted: only the people named (the author named only the team manager here).
    assert readable(world.team_manager, world, entries) == {"social_care", "health", "restricted"}


def test_no_child_no_chronology(world, entries):
    assert chronology_visible_to(world.outsider).count() == 0
    assert chronology_visible_to(world.administrator).count() == 0
    with pytest.raises(Http404):
        get_entry_for(world.outsider, entries["social_care"].pk)


def test_an_agreement_shares_categories_not_children(world, entries):
    """Police information shared with social care is read once police are involved."""
    police = entries["police"].agency
    SharingAgreementFactory(
        provider=police, recipient=world.social_care, categories=["police_intelligence"]
    )
    assert "police" in readable(world.social_worker, world, entries)
    # ...but the police do not read social care's entries without an agreement the other way.
    InvolvementFactory(case=world.case, agency=police, role="Officer in the case")
    officer = entries["police"].author
    assert readable(officer, world, entries) == {"police"}


def test_an_approved_access_request_opens_one_agency_category(world, entries):
    AccessRequest.objects.create(
        requester=world.outsider,
        child=world.child,
        provider=world.social_care,
        category="social_care",
        reason="Joint investigation",
        status=AccessRequestStatus.APPROVED,
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    assert readable(world.outsider, world, entries) == {"social_care"}


def test_break_glass_opens_everything_but_restricted_entries(world, entries):
    BreakGlass.objects.create(
        actor=world.outsider,
        person=world.child,
        reason="Child at A&E",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert readable(world.outsider, world, entries) == {
        "social_care",
        "health",
        "mental_health",
        "police",
    }


def test_the_family_view_merges_brothers_and_sisters_once(world, sister, record):
    about_riley = record(summary="Riley: health review")
    about_skye = record(children=[sister], summary="Skye: school nurse visit")
    about_both = record(children=[world.child, sister], summary="Both at A&E overnight")
    family = selectors.family_children(world.social_worker, world.child)
    assert family == [world.child, sister]
    shown = list(selectors.entries_for(actor=world.social_worker, children=family, filters=NONE))
    assert sorted(e.pk for e in shown) == sorted([about_riley.pk, about_skye.pk, about_both.pk])
    # The health visitor cannot see Skye: her family view is Riley's alone.
    assert selectors.family_children(world.health_visitor, world.child) == [world.child]


def test_a_page_lists_only_the_children_you_can_see(world, sister, record):
    record(children=[world.child, sister])
    page = selectors.chronology_page(
        actor=world.health_visitor, children=[world.child], filters=NONE
    )
    assert [c.full_name for c in page.entries[0].shown_children] == ["Riley Marsh"]
    page = selectors.chronology_page(
        actor=world.social_worker, children=[world.child], filters=NONE
    )
    assert len(page.entries[0].shown_children) == 2


def test_an_entry_is_found_only_under_a_child_it_is_about(world, sister, record):
    entry = record(children=[sister])
    with pytest.raises(Http404):
        get_entry_for(world.social_worker, entry.pk, child=world.child)
    assert get_entry_for(world.social_worker, entry.pk, child=sister) == entry
    assert chronology_shared_with(world.social_worker, type(entry).objects.all()).count() == 1


@pytest.fixture
def school_in_error(world):
    """A school's entry about Riley, shared with social care, entered in error: the
    school's only entry."""
    school = AgencyFactory(
        code="nm-school", name="Abbey Primary School", agency_type=AgencyType.EDUCATION
    )
    SharingAgreementFactory(provider=school, recipient=world.social_care, categories=["education"])
    entry = ChronologyEntryFactory(agency=school, children=[world.child])
    entry.entered_in_error_at = timezone.now()
    entry.entered_in_error_by = entry.author
    entry.entered_in_error_reason = "Another pupil"
    entry.save()
    return school


def chronology(client, actor, world, **query):
    client.force_login(actor)
    response = client.get(reverse("chronology", args=[world.child.pk]), query)
    assert response.status_code == 200
    return response.context


def agency_choices(context) -> list[str]:
    fields = context["form"].fields
    return [name for _pk, name in fields["agency"].choices] if "agency" in fields else []


@pytest.mark.parametrize("reader", ["social_worker", "health_visitor", "team_manager", "outsider"])
def test_the_agency_filter_offers_every_agency_whose_entries_you_read(
    client, world, entries, school_in_error, reader
):
    """The agencies of the entries the reader may read, entered in error too (the
    filter applies when they are shown), by name; not the agencies of entries they may
    not read."""
    actor = getattr(world, reader)
    if reader == "outsider":  # under break-glass
        BreakGlass.objects.create(
            actor=actor,
            person=world.child,
            reason="Child at A&E",
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
    everything = selectors.Filters(include_in_error=True)
    read = selectors.entries_for(actor=actor, children=[world.child], filters=everything)
    expected = sorted({entry.agency.name for entry in read})
    assert agency_choices(chronology(client, actor, world)) == expected
    agencies = selectors.readable(actor=actor, children=[world.child]).agencies()
    assert [agency.name for agency in agencies] == expected
    # The police's entry is shared with nobody; the school's with social care.
    assert ("Northmoor Police" in expected) == (reader == "outsider")
    assert ("Abbey Primary School" in expected) == (reader != "health_visitor")


def test_the_counts_follow_the_filters(client, world, entries, school_in_error):
    """Social care reads its own entry and health visiting's; the school's one entry was
    entered in error."""

    def counted(**query) -> tuple[int, int]:
        page = chronology(client, world.social_worker, world, **query)["chronology"]
        return page.page.paginator.count, page.in_error

    assert counted() == (2, 1)
    assert counted(in_error="on") == (3, 0)
    assert counted(agency=str(world.health.pk)) == (1, 0)
    assert counted(agency=str(school_in_error.pk)) == (0, 1)
    assert counted(agency=str(school_in_error.pk), in_error="on") == (1, 0)
    assert counted(agency=[str(school_in_error.pk), str(world.health.pk)]) == (1, 1)
    assert counted(significance="routine") == (2, 1)
    assert counted(significance="critical") == (0, 0)
    next_year = str(timezone.localdate().year + 1)
    assert counted(since_day="1", since_month="1", since_year=next_year) == (0, 0)


def test_the_api_names_only_the_children_you_can_see(world, sister, record, api_client_for):
    record(children=[world.child, sister])
    record(children=[world.child])

    def named(actor) -> list[list[str]]:
        response = api_client_for(actor).get(
            "/api/v1/chronology-entries/", {"child": world.child.pk, "order": "oldest"}
        )
        assert response.status_code == 200, response.content
        return [sorted(c["full_name"] for c in e["children"]) for e in response.json()["results"]]

    assert named(world.social_worker) == [["Riley Marsh", "Skye Marsh"], ["Riley Marsh"]]
    assert named(world.health_visitor) == [["Riley Marsh"], ["Riley Marsh"]]

"""`active_risks_for_child`: which risks touch a child, through whom, as of when, and
what a viewer may read of them."""

import datetime as dt

from django.utils import timezone

from threadline.agencies.models import AgencyType
from threadline.risks.selectors import active_risks_for_child, family_history
from threadline.risks.services import close_risk

from .. import factories as f
from .conftest import future


def paths(touching) -> dict:
    return {t.risk.subject.full_name: t.path for t in touching}


def test_a_parents_risk_touches_the_child_with_the_path(world, homes, record_risk):
    record_risk()
    touching = active_risks_for_child(world.child)
    assert paths(touching) == {"Kerry Marsh": "Mother — household member since 1 Feb 2025"}


def test_a_relatives_risk_touches_the_child_though_they_live_elsewhere(world, homes, record_risk):
    record_risk(subject=homes.grandmother, factor="4B", evidence="Treated for psychosis in 2024")
    assert paths(active_risks_for_child(world.child)) == {
        "Brenda Marsh": "Grandparent — not in the household"
    }


def test_someone_unrelated_touches_the_child_only_while_living_with_them(
    world, homes, record_risk, move
):
    record_risk(actor=homes.probation_officer, subject=homes.uncle, factor="3B")
    assert len(active_risks_for_child(world.child)) == 0
    move(world.child, homes.grandparents_home, on=dt.date(2026, 11, 12))
    today = active_risks_for_child(world.child)
    assert paths(today) == {
        "Darren Marsh": "Lives at the same address — household member since 12 Nov 2026"
    }
    before_the_move = active_risks_for_child(world.child, as_of=dt.date(2026, 11, 1))
    assert len(before_the_move) == 0


def test_the_childs_own_risks_come_first(world, homes, record_risk):
    record_risk()
    record_risk(subject=world.child, factor="16A", evidence="Nappy rash untreated for weeks")
    touching = list(active_risks_for_child(world.child))
    assert [t.path for t in touching] == ["The child", "Mother — household member since 1 Feb 2025"]


def test_a_closed_risk_touches_only_before_it_closed(world, homes, record_risk):
    risk = record_risk(identified_on=dt.date(2026, 1, 10))
    close_risk(actor=world.team_manager, risk=risk, rationale="Clean tests for six months")
    assert len(active_risks_for_child(world.child)) == 0
    assert len(active_risks_for_child(world.child, as_of=dt.date(2026, 6, 1))) == 1
    # Identified later than the day asked about: known now, so it counts then.
    assert len(active_risks_for_child(world.child, as_of=dt.date(2025, 12, 1))) == 1


def test_an_unborn_child_is_touched_through_their_mothers_household(world, homes, record_risk):
    unborn = f.PersonFactory(
        kind="unborn", date_of_birth=None, expected_delivery_date=future(60), given_names=""
    )
    f.RelationshipFactory(person_a=world.mother, person_b=unborn, type="mother")
    partner = f.AdultFactory(
        given_names="Lee", family_name="Crane", recorded_by_agency=world.social_care
    )
    f.ResidenceFactory(person=partner, address=homes.home, from_date=dt.date(2026, 3, 1))
    record_risk(subject=partner, factor="1C", evidence="Drink-driving conviction, 2025")
    assert paths(active_risks_for_child(unborn)) == {
        "Lee Crane": "Lives at the same address — household member since 1 Mar 2026"
    }


def test_a_viewer_reads_only_what_is_shared_and_is_told_something_is_withheld(
    world, homes, record_risk
):
    lodger = f.AdultFactory(
        given_names="Wayne", family_name="Tull", recorded_by_agency=homes.probation
    )
    f.ResidenceFactory(person=lodger, address=homes.home, from_date=dt.date(2026, 6, 1))
    record_risk(actor=homes.probation_officer, subject=lodger, factor="3C")
    record_risk()
    # Social care reads probation's information under the agreement; health visiting
    # has no agreement with probation.
    assert len(active_risks_for_child(world.child, actor=world.social_worker)) == 2
    for_health = active_risks_for_child(world.child, actor=world.health_visitor)
    assert [t.risk.source_agency for t in for_health] == [world.social_care]
    assert for_health.withheld == 1


def test_a_restricted_risk_is_read_only_by_the_people_named(world, homes, record_risk):
    record_risk(confidentiality="restricted", restricted_to=[world.team_manager])
    assert len(active_risks_for_child(world.child, actor=world.team_manager)) == 1
    other = active_risks_for_child(world.child, actor=world.safeguarding_lead)
    assert (len(other), other.withheld) == (0, 1)


def test_four_queries_however_many_people_and_risks(
    world, homes, record_risk, django_assert_num_queries
):
    for n in range(5):
        adult = f.AdultFactory(given_names=f"Lodger{n}", recorded_by_agency=world.social_care)
        f.ResidenceFactory(person=adult, address=homes.home, from_date=dt.date(2026, 1, 1))
        record_risk(subject=adult, factor="2C")
    with django_assert_num_queries(4):
        assert len(active_risks_for_child(world.child)) == 5


def test_family_history_shows_a_parents_own_childhood_case_and_closed_risks(
    world, homes, record_risk
):
    f.CaseFactory(
        child=world.mother,
        local_authority=world.social_care,
        opened_on=dt.date(2004, 3, 1),
        closed_on=dt.date(2008, 7, 31),
    )
    risk = record_risk(identified_on=dt.date(2025, 1, 1))
    close_risk(actor=world.team_manager, risk=risk, rationale="Completed treatment")
    police = f.AgencyFactory(agency_type=AgencyType.POLICE, code="nm-pol")
    f.CaseFactory(
        child=homes.grandmother,
        local_authority=police,
        opened_on=dt.date(1985, 1, 1),
        closed_on=dt.date(1990, 1, 1),
    )
    history = family_history(actor=world.social_worker, child=world.child)
    assert [h.connection.person for h in history] == [world.mother]
    assert [c.opened_on for c in history[0].childhood_cases] == [dt.date(2004, 3, 1)]
    assert [r.closed_on for r in history[0].closed_risks] == [timezone.localdate()]

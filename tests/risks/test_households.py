"""Household-change alerts: a move into a household with known risks, or known to adult
services, tells the child's lead professional and network once, and is recorded in the
chronology."""

import datetime as dt

from django.utils import timezone

from threadline.chronology.models import ChronologyEntry
from threadline.notices.models import Notice, NoticeRecipient
from threadline.people import services as people
from threadline.risks.households import evaluate_household_change
from threadline.risks.models import HouseholdCheck

from .. import factories as f

TODAY = timezone.localdate()


def alerts():
    return Notice.objects.filter(notice_type="alert", title__startswith="Household change")


def test_a_child_moving_in_with_an_adult_with_an_active_risk_alerts_the_network(
    world, homes, record_risk, move
):
    record_risk(actor=homes.probation_officer, subject=homes.uncle, factor="3B")
    move(world.child, homes.grandparents_home, on=TODAY)
    notice = alerts().get()
    told = NoticeRecipient.objects.filter(notice=notice)
    assert {r.agency for r in told if r.agency} == {world.social_care, world.health}
    assert {r.practitioner for r in told if r.practitioner} == {world.social_worker}
    assert all(r.acknowledge_by is not None for r in told)  # must be acknowledged
    assert "Darren Marsh (Lives at the same address — household member since" in notice.body
    assert "1 active risk" in notice.body
    # The alert names no risk: each reader sees on the child's page what they may read.
    assert "Domestic" not in notice.body
    entry = ChronologyEntry.objects.get(entry_type="household_change")
    assert entry.summary == "Riley Marsh moved to 19 Quarry Lane, Northmoor, NM1 4BX"
    assert entry.significance == "significant"
    assert list(entry.child_links.values_list("child", flat=True)) == [world.child.pk]


def test_an_adult_known_to_probation_is_found_without_a_risk(world, homes, move):
    move(world.child, homes.grandparents_home, on=TODAY)
    assert "known to Northmoor Probation" in alerts().get().body
    assert HouseholdCheck.objects.get().agencies_found == 1


def test_a_quiet_household_sends_nothing_but_the_move_is_in_the_chronology(world, homes, move):
    quiet = f.AddressFactory(line_1="2 Orchard Way")
    move(world.child, quiet, on=TODAY)
    assert not alerts().exists()
    entry = ChronologyEntry.objects.get(entry_type="household_change")
    assert entry.significance == "routine"
    assert HouseholdCheck.objects.get().risks_found == 0


def test_an_adult_moving_in_where_a_child_lives_is_looked_at(world, homes, record_risk, move):
    record_risk(actor=homes.probation_officer, subject=homes.uncle, factor="1C")
    move(homes.uncle, homes.home, on=TODAY, actor=homes.probation_officer)
    notice = alerts().get()
    assert notice.title == "Household change: known risks around Riley Marsh"
    assert notice.body.startswith("Darren Marsh joined Riley Marsh's household")
    # Probation recorded the move though it cannot see Riley: the chronology still says so.
    assert ChronologyEntry.objects.get(entry_type="household_change").agency == homes.probation


def test_a_new_household_member_relationship_is_looked_at(world, homes, record_risk):
    record_risk(actor=homes.probation_officer, subject=homes.uncle, factor="2C")
    people.add_relationship(
        actor=world.social_worker,
        person_a=homes.uncle,
        person_b=world.child,
        type="household_member",
        from_date=dt.date(2026, 11, 12),
    )
    assert "Darren Marsh (Household member since 12 Nov 2026): 1 active risk" in alerts().get().body


def test_looking_again_at_the_same_move_sends_nothing_new(world, homes, record_risk, move):
    record_risk(actor=homes.probation_officer, subject=homes.uncle, factor="3B")
    move(world.child, homes.grandparents_home, on=TODAY)
    again = evaluate_household_change(
        actor=world.social_worker,
        child=world.child,
        joined=world.child,
        moved_on=TODAY,
        address=homes.grandparents_home,
    )
    assert again is None
    assert alerts().count() == 1
    assert ChronologyEntry.objects.filter(entry_type="household_change").count() == 1


def test_a_past_stay_is_history_not_a_move(world, homes, record_risk):
    record_risk(actor=homes.probation_officer, subject=homes.uncle, factor="3B")
    people.record_move(
        actor=world.social_worker,
        person=world.child,
        address=homes.grandparents_home,
        from_date=dt.date(2024, 1, 1),
        to_date=dt.date(2024, 6, 1),
    )
    assert not HouseholdCheck.objects.exists()


def test_a_child_without_an_open_case_alerts_the_front_door(world, homes, record_risk, move):
    cousin = f.PersonFactory(
        given_names="Kai", family_name="Marsh", recorded_by_agency=world.social_care
    )
    record_risk(actor=homes.probation_officer, subject=homes.uncle, factor="3B")
    move(cousin, homes.grandparents_home, on=TODAY)
    told = NoticeRecipient.objects.filter(notice=alerts().get())
    assert [r.agency for r in told] == [world.social_care]

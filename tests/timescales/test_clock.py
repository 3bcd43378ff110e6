"""The statutory clock: events become tasks by the rule catalogue, with owners and due
dates in working days or months; the satisfying event closes them; evaluating again
never duplicates; a past day can be replayed; overdue tasks escalate once."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from threadline.notices.models import NoticeRecipient
from threadline.orders import services as orders
from threadline.referrals.services import decide_referral
from threadline.risks import services as risks
from threadline.timescales import clock
from threadline.timescales.meetings import record_meeting_or_assessment
from threadline.timescales.models import Task
from threadline.timescales.rules import RULES, catalogue_markdown
from threadline.timescales.services import escalate_overdue_tasks

MADE = dt.date(2026, 3, 2)  # a Monday


def tasks(child) -> dict:
    return {t.rule_id: t for t in Task.objects.filter(child=child)}


@pytest.fixture
def supervision_order(world):
    return orders.make_order(
        actor=world.social_worker,
        child=world.child,
        order_type="supervision_order",
        starts_on=MADE,
        court="Northmoor Family Court",
    )


def test_every_rule_cites_its_source():
    assert len({r.id for r in RULES}) == len(RULES)
    assert all(r.source and r.title and r.triggers and r.satisfied_by for r in RULES)


def test_a_supervision_order_sets_the_clock(world, supervision_order):
    found = tasks(world.child)
    assert set(found) == {
        "supervision-order-conference",
        "supervision-order-review",
        "supervision-order-extension",
    }  # already allocated: no allocation task
    # 15 working days after Monday 2 March 2026 (no bank holiday) is Monday 23 March.
    assert found["supervision-order-conference"].due_on == dt.date(2026, 3, 23)
    assert found["supervision-order-review"].due_on == dt.date(2026, 6, 2)
    # One month before the order expires on 2 March 2027.
    assert found["supervision-order-extension"].due_on == dt.date(2027, 2, 2)
    conference = found["supervision-order-conference"]
    assert (conference.owner, conference.owner_agency) == (world.social_worker, world.social_care)
    assert timezone.localtime(conference.due_at).time() == dt.time(17, 0)


def test_an_unallocated_case_gets_an_allocation_task(world):
    world.case.allocations.all().delete()
    orders.make_order(
        actor=world.social_worker, child=world.child, order_type="supervision_order", starts_on=MADE
    )
    task = tasks(world.child)["supervision-order-allocation"]
    assert (task.owner, task.owner_agency) == (None, world.social_care)


def test_a_conference_that_makes_a_plan_satisfies_one_task_and_cancels_another(
    world, supervision_order
):
    record_meeting_or_assessment(
        actor=world.social_worker,
        child=world.child,
        kind="initial_conference",
        occurred_on=dt.date(2026, 3, 20),
        plan=True,
        category="neglect",
    )
    found = tasks(world.child)
    assert found["supervision-order-conference"].status == "done"
    assert found["supervision-order-review"].status == "cancelled"  # a plan now
    # The plan's own timetable starts: core group in 10 working days, review in 3 months
    # (Good Friday 3 April and Easter Monday 6 April 2026 do not count).
    assert found["first-core-group"].due_on == dt.date(2026, 4, 7)
    assert found["first-review-conference"].due_on == dt.date(2026, 6, 20)


def test_evaluating_again_never_duplicates(world, supervision_order):
    before = Task.objects.count()
    clock.sync_all()
    clock.sync_all()
    assert Task.objects.count() == before


def test_an_extension_moves_the_meeting_before_the_new_expiry(world, supervision_order):
    orders.extend_order(
        actor=world.social_worker,
        order=supervision_order,
        new_end=dt.date(2028, 3, 2),
        granted_on=timezone.localdate(),
    )
    meetings = Task.objects.filter(rule_id="supervision-order-extension").order_by("due_on")
    assert [(t.due_on, t.status) for t in meetings] == [
        (dt.date(2027, 2, 2), "cancelled"),
        (dt.date(2028, 2, 2), "open"),
    ]


def test_a_past_day_can_be_replayed_without_writing(world, supervision_order):
    record_meeting_or_assessment(
        actor=world.social_worker,
        child=world.child,
        kind="initial_conference",
        occurred_on=dt.date(2026, 4, 1),
        plan=False,
    )
    Task.objects.all().delete()
    on_25_march = {s.rule.id: s for s in clock.replay(world.child, as_of=dt.date(2026, 3, 25))}
    conference = on_25_march["supervision-order-conference"]
    assert conference.status == "open"
    assert conference.overdue_at(clock.end_of_working_day(dt.date(2026, 3, 25)))
    later = {s.rule.id: s for s in clock.replay(world.child, as_of=dt.date(2026, 4, 2))}
    assert later["supervision-order-conference"].status == "done"
    assert not Task.objects.exists()


def test_a_referral_sets_the_decision_and_assessment_clock(world, refer, front_door):
    referral = refer()
    decision = tasks(referral.child)["referral-decision"]
    assert decision.due_at == referral.decision_due_at
    assert decision.owner_agency == referral.local_authority
    decide_referral(
        actor=front_door, referral=referral, decision="assessment", rationale="Needs assessing"
    )
    found = tasks(referral.child)
    assert found["referral-decision"].status == "done"
    received = timezone.localdate(referral.received_at)
    assert found["assessment"].due_on > received + dt.timedelta(days=60)  # 45 working days


def test_concluded_proceedings_tell_the_network_and_owe_a_legal_memorandum(world, legal):
    proceedings = orders.make_order(
        actor=world.social_worker,
        child=world.child,
        order_type="care_proceedings",
        starts_on=dt.date(2026, 1, 5),
    )
    orders.conclude_proceedings(
        actor=world.social_worker,
        order=proceedings,
        concluded_on=dt.date(2026, 7, 1),
        outcome="supervision_order",
    )
    found = tasks(world.child)
    assert found["proceedings-outcome-notice"].status == "done"  # sent at once
    memo = found["proceedings-legal-memorandum"]
    assert (memo.status, memo.owner_agency) == ("open", legal.agency)
    told = NoticeRecipient.objects.filter(notice__notice_type="legal_notice")
    assert {r.agency for r in told} == {world.social_care, world.health}


def test_an_overdue_task_escalates_to_the_team_manager_once(world, supervision_order):
    late = clock.end_of_working_day(dt.date(2026, 3, 24))
    assert escalate_overdue_tasks(now=late) == 1  # the conference, due 23 March
    told = NoticeRecipient.objects.filter(notice__notice_type="task_escalation")
    assert [r.practitioner for r in told] == [world.team_manager]
    assert escalate_overdue_tasks(now=late) == 0


def test_a_risk_has_a_review_task_that_a_review_closes(world):
    review_by = timezone.localdate() + dt.timedelta(days=30)
    risk = risks.record_risk(
        actor=world.social_worker,
        subject=world.mother,
        factor="2B",
        evidence="Positive test",
        review_date=review_by,
    )
    task = Task.objects.get(rule_id="risk-review")
    assert (task.due_on, task.owner, task.child) == (review_by, world.social_worker, world.mother)
    risks.review_risk(
        actor=world.social_worker,
        risk=risk,
        notes="Engaging",
        next_review_date=review_by + dt.timedelta(days=30),
    )
    assert sorted(Task.objects.filter(rule_id="risk-review").values_list("status", flat=True)) == [
        "done",
        "open",
    ]


def test_docs_rules_md_is_the_catalogue():
    """docs/rules.md is generated: regenerate it with `threadline clock rules`."""
    written = (Path(__file__).parents[2] / "docs" / "rules.md").read_text()
    assert written.strip() == catalogue_markdown().strip()


def test_the_command_replays_a_day(world, supervision_order):
    out = io.StringIO()
    call_command(
        "clock", "evaluate", "--as-of", "2026-03-25", "--child", str(world.child.pk), stdout=out
    )
    assert (
        "OVERDUE    Hold a child-protection conference to decide whether a plan is needed"
        in out.getvalue()
    )


def test_police_protection_ended_the_day_it_began_is_done(world):
    began = timezone.now() - dt.timedelta(hours=2)
    protection = orders.make_order(
        actor=world.social_worker,
        child=world.child,
        order_type="police_protection",
        starts_at=began,
    )
    orders.end_order(
        actor=world.social_worker,
        order=protection,
        ended_on=timezone.localdate(began),
        reason="other",
    )
    assert tasks(world.child)["police-protection-expiry"].status == "done"


def test_a_meeting_recorded_by_hand_does_the_extension_task(world, supervision_order):
    record_meeting_or_assessment(
        actor=world.social_worker,
        child=world.child,
        kind="extension_meeting",
        occurred_on=timezone.localdate(),
    )
    assert tasks(world.child)["supervision-order-extension"].status == "done"


def test_a_changed_figure_moves_open_tasks(world, supervision_order, settings):
    settings.CLOCK_FIGURES = {"SUPERVISION_ORDER_REVIEW_MONTHS": 2}
    clock.sync_all()
    assert tasks(world.child)["supervision-order-review"].due_on == dt.date(2026, 5, 2)


def test_an_adults_risk_review_is_made_by_a_full_evaluation(world):
    risk = risks.record_risk(
        actor=world.social_worker,
        subject=world.mother,
        factor="2B",
        evidence="Positive test",
        review_date=timezone.localdate() + dt.timedelta(days=30),
    )
    Task.objects.all().delete()
    clock.sync_all()  # the nightly run: open cases (the mother has none)
    assert not Task.objects.filter(rule_id="risk-review").exists()
    clock.sync_all(everyone=True)  # a rebuild
    assert Task.objects.get(rule_id="risk-review").child == risk.subject

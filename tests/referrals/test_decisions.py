"""The front door decides; the referrer is sent the outcome and must acknowledge it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from threadline.agencies.models import AgencyType, Role
from threadline.audit.models import AuditEvent
from threadline.cases.models import Case
from threadline.notices.models import Notice, NoticeRecipient
from threadline.referrals.models import Referral
from threadline.referrals.services import decide_referral

from ..errors import codes
from ..factories import AgencyFactory, PractitionerFactory

RATIONALE = "An unexplained burn on a child under two: section 47 threshold met"


def test_the_referrer_is_sent_the_outcome_to_acknowledge(world, front_door, refer):
    referral = refer()
    decided = decide_referral(
        actor=front_door, referral=referral, decision="strategy_discussion", rationale=RATIONALE
    )
    assert (decided.status, decided.decision, decided.decided_by) == (
        "decided",
        "strategy_discussion",
        front_door,
    )
    assert decided.case == world.case  # the child's open case, not a second one
    outcome = NoticeRecipient.objects.get(notice__notice_type="outcome")
    assert (outcome.practitioner, outcome.agency) == (world.health_visitor, None)
    assert outcome.acknowledge_by is not None and outcome.acknowledged_at is None
    assert RATIONALE in outcome.notice.body
    assert outcome.notice.link == f"/referrals/{referral.pk}/"
    event = AuditEvent.objects.get(action="update", object_id=str(referral.pk))
    assert (event.actor, event.child_id, event.purpose) == (front_door, world.child.pk, RATIONALE)


def test_an_assessment_opens_a_case_for_a_child_without_one(world, front_door, refer):
    referral = refer(
        new_child={
            "kind": "unborn",
            "family_name": "Marsh",
            "expected_delivery_date": dt.date(2026, 9, 1),
        }
    )
    decided = decide_referral(
        actor=front_door, referral=referral, decision="assessment", rationale=RATIONALE
    )
    case = Case.objects.get(child=referral.child, closed_on__isnull=True)
    assert decided.case == case
    assert case.local_authority == world.social_care
    assert case.involvements.get().practitioner == front_door


@pytest.mark.parametrize("decision", ["no_further_action", "early_help"])
def test_other_decisions_open_no_case(world, front_door, refer, decision):
    referral = refer(
        new_child={"kind": "child", "family_name": "Brook", "date_of_birth": dt.date(2021, 5, 5)}
    )
    decided = decide_referral(
        actor=front_door, referral=referral, decision=decision, rationale=RATIONALE
    )
    assert decided.case is None
    assert not Case.objects.filter(child=referral.child).exists()


def test_a_referrer_who_has_left_has_the_outcome_sent_to_their_agency(world, front_door, refer):
    referral = refer()
    world.health_visitor.is_active = False
    world.health_visitor.save()
    decide_referral(actor=front_door, referral=referral, decision="early_help", rationale=RATIONALE)
    outcome = NoticeRecipient.objects.get(notice__notice_type="outcome")
    assert (outcome.agency, outcome.practitioner) == (world.health, None)


def refused(referral, actor, *expected, **decision):
    notices = Notice.objects.count()
    with pytest.raises(ValidationError) as caught:
        decide_referral(
            actor=actor,
            referral=referral,
            **({"decision": "assessment", "rationale": RATIONALE} | decision),
        )
    assert set(expected) <= codes(caught.value), codes(caught.value)
    assert Notice.objects.count() == notices
    return Referral.objects.get(pk=referral.pk)


def test_a_decision_without_rationale_is_refused(world, front_door, refer):
    referral = refer()
    after = refused(referral, front_door, "rationale_required", rationale="  ")
    assert (after.status, after.decision, after.case) == ("awaiting_decision", "", None)


def test_a_decision_must_be_one_of_the_four(world, front_door, refer):
    refused(refer(), front_door, "decision_required", decision="maybe later")


@pytest.mark.parametrize(
    "who", ["social_worker", "safeguarding_lead", "team_manager", "health_visitor"]
)
def test_only_a_front_door_officer_decides(world, refer, who):
    after = refused(refer(), getattr(world, who), "not_front_door")
    assert after.status == "awaiting_decision"


def test_a_front_door_officer_of_another_authority_does_not_decide(world, refer):
    elsewhere = AgencyFactory(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE, area="Farshire")
    officer = PractitionerFactory(agency=elsewhere, role=Role.FRONT_DOOR_OFFICER)
    refused(refer(), officer, "not_front_door")


def test_a_referral_is_decided_once(world, front_door, refer):
    referral = refer()
    decide_referral(actor=front_door, referral=referral, decision="early_help", rationale=RATIONALE)
    after = refused(referral, front_door, "already_decided")
    assert after.decision == "early_help"

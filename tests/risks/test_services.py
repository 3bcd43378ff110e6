"""Recording, reviewing and closing risks: every rule, and nothing saved when one is
broken."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.notices.models import NoticeRecipient
from threadline.risks import services
from threadline.risks.models import RiskFactor, RiskReview, RiskStatus

from ..errors import codes
from .conftest import future

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def test_a_risk_is_recorded_as_the_agencys_information_and_audited(world, record_risk):
    risk = record_risk()
    assert (risk.subject, risk.factor.code, risk.status) == (world.mother, "2B", "active")
    assert (risk.source_agency, risk.recorded_by) == (world.social_care, world.social_worker)
    assert (risk.category, risk.identified_on) == ("social_care", timezone.localdate())
    event = AuditEvent.objects.get(action="create", object_id=str(risk.pk))
    assert "2B Drug misuse" in event.summary


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"subject": uuid.uuid4()}, "subject", "unknown_person"),
        ({"factor": "99Z"}, "factor", "unknown_factor"),
        ({"factor": "21"}, "factor", "unknown_factor"),  # "no factors identified" is no risk
        ({"evidence": "   "}, "evidence", "evidence_required"),
        ({"review_date": YESTERDAY}, "review_date", "review_in_past"),
        ({"review_date": None}, "review_date", "required"),
        (
            {"identified_on": timezone.localdate() + dt.timedelta(days=1)},
            "identified_on",
            "identified_in_future",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(record_risk, overrides, field, code):
    with pytest.raises(ValidationError) as raised:
        record_risk(**overrides)
    assert field in raised.value.error_dict
    assert code in codes(raised.value)
    assert RiskFactor.objects.count() == 0


def test_a_person_the_recorder_may_not_see_is_unknown(world, record_risk):
    with pytest.raises(ValidationError) as raised:
        record_risk(actor=world.outsider)
    assert codes(raised.value) == {"unknown_person"}


def test_a_review_moves_the_review_date_and_keeps_the_history(world, record_risk):
    risk = record_risk()
    services.review_risk(
        actor=world.social_worker,
        risk=risk,
        notes="Still using; engaging with the drug service",
        next_review_date=future(30),
    )
    risk.refresh_from_db()
    assert (risk.review_date, risk.last_reviewed_on) == (future(30), timezone.localdate())
    assert [r.notes for r in risk.reviews.all()] == ["Still using; engaging with the drug service"]


def test_a_review_date_in_the_past_is_refused(world, record_risk):
    risk = record_risk()
    with pytest.raises(ValidationError) as raised:
        services.review_risk(
            actor=world.social_worker, risk=risk, notes="Seen", next_review_date=YESTERDAY
        )
    assert codes(raised.value) == {"review_in_past"}
    assert RiskReview.objects.count() == 0


def test_only_the_recording_agency_reviews_or_closes(world, record_risk):
    risk = record_risk()
    with pytest.raises(ValidationError) as raised:
        services.close_risk(actor=world.health_visitor, risk=risk, rationale="Looks fine")
    assert codes(raised.value) == {"not_your_agency"}
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACTIVE


def test_a_manager_closes_a_risk_at_once_and_it_stays_in_the_history(world, record_risk):
    risk = record_risk()
    services.close_risk(actor=world.team_manager, risk=risk, rationale="Six months of clean tests")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.CLOSED
    assert (risk.closure_signed_off_by, risk.closed_on) == (
        world.team_manager,
        timezone.localdate(),
    )
    assert RiskFactor.objects.filter(pk=risk.pk).exists()


def test_closing_without_a_rationale_is_refused(world, record_risk):
    risk = record_risk()
    with pytest.raises(ValidationError) as raised:
        services.close_risk(actor=world.team_manager, risk=risk, rationale=" ")
    assert codes(raised.value) == {"rationale_required"}
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACTIVE


def test_a_practitioners_closure_waits_for_a_managers_sign_off(world, record_risk):
    risk = record_risk()
    services.close_risk(actor=world.social_worker, risk=risk, rationale="Moved abroad")
    risk.refresh_from_db()
    assert (risk.status, risk.awaits_sign_off) == (RiskStatus.UNDER_REVIEW, True)
    told = NoticeRecipient.objects.filter(notice__title__startswith="Sign off the closure")
    assert {r.practitioner for r in told} == {world.team_manager, world.safeguarding_lead}

    with pytest.raises(ValidationError) as raised:
        services.sign_off_closure(actor=world.social_worker, risk=risk)
    assert codes(raised.value) == {"sign_off_needs_manager"}

    services.sign_off_closure(actor=world.safeguarding_lead, risk=risk)
    risk.refresh_from_db()
    assert (risk.status, risk.closure_signed_off_by) == (RiskStatus.CLOSED, world.safeguarding_lead)
    assert risk.closure_requested_by == world.social_worker


def test_a_review_that_keeps_the_risk_active_turns_down_the_closure(world, record_risk):
    risk = record_risk()
    services.close_risk(actor=world.social_worker, risk=risk, rationale="Moved abroad")
    services.review_risk(
        actor=world.team_manager,
        risk=risk,
        notes="She is back in Northmoor",
        next_review_date=future(14),
    )
    risk.refresh_from_db()
    assert (risk.status, risk.awaits_sign_off) == (RiskStatus.ACTIVE, False)
    with pytest.raises(ValidationError) as raised:
        services.sign_off_closure(actor=world.team_manager, risk=risk)
    assert codes(raised.value) == {"no_closure_to_sign_off"}


def test_a_closed_risk_cannot_be_reviewed_back_to_life(world, record_risk):
    risk = record_risk()
    services.close_risk(actor=world.team_manager, risk=risk, rationale="Completed treatment")
    with pytest.raises(ValidationError) as raised:
        services.review_risk(
            actor=world.team_manager, risk=risk, notes="Again", next_review_date=future()
        )
    assert codes(raised.value) == {"invalid_transition"}


def test_the_database_refuses_a_closed_risk_without_sign_off(world, record_risk):
    risk = record_risk()
    RiskFactor.objects.filter(pk=risk.pk).update(closure_rationale="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactor.objects.filter(pk=risk.pk).update(
            status="closed", closed_on=timezone.localdate()
        )

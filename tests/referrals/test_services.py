"""Making a referral: who is told, when a decision is due, and bad input saving nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from threadline.agencies.models import AgencyType
from threadline.audit.models import AuditEvent
from threadline.notices.models import Notice, NoticeRecipient
from threadline.people.models import Person, Relationship
from threadline.referrals.models import Referral
from threadline.referrals.services import decision_due, make_referral
from threadline.sharing.policy import referrals_visible_to
from threadline.timescales.calendar import add_working_hours

from ..errors import codes
from ..factories import (
    AddressFactory,
    AgencyFactory,
    CaseFactory,
    InvolvementFactory,
    PersonFactory,
    PractitionerFactory,
    RelationshipFactory,
    ResidenceFactory,
)
from .conftest import CONCERNS, referral_fields

LONDON = ZoneInfo("Europe/London")


def agency(code, agency_type=AgencyType.HEALTH_VISITING, **extra):
    return AgencyFactory(
        code=code, name=code.replace("-", " ").title(), agency_type=agency_type, **extra
    )


def involve(case, code, agency_type=AgencyType.HEALTH_VISITING, **extra):
    found = agency(code, agency_type)
    InvolvementFactory(case=case, agency=found, **extra)
    return found


def recipients(notice_type) -> set[str]:
    return {
        r.agency.code if r.agency else r.practitioner.username
        for r in NoticeRecipient.objects.filter(notice__notice_type=notice_type).select_related(
            "agency", "practitioner"
        )
    }


@pytest.fixture
def family(world):
    """Around the child: the police and school on the child's case; a brother with his
    own case (a GP), through their mother only; a child living at the same address with
    a case (housing); an agency whose involvement has ended; a stranger's case."""
    involve(world.case, "nm-police", AgencyType.POLICE)
    involve(world.case, "nm-school", AgencyType.EDUCATION)
    involve(world.case, "nm-ended", to_date=dt.date(2025, 3, 1))
    brother = PersonFactory(
        given_names="Kai", family_name="Marsh", recorded_by_agency=world.social_care
    )
    RelationshipFactory(person_a=world.mother, person_b=brother, recorded_by=world.social_worker)
    brothers_case = CaseFactory(child=brother, local_authority=world.social_care)
    involve(brothers_case, "nm-gp", AgencyType.GP)
    home = AddressFactory()
    lodger = PersonFactory(recorded_by_agency=world.social_care)
    ResidenceFactory(person=world.child, address=home, recorded_by=world.social_worker)
    ResidenceFactory(person=lodger, address=home, recorded_by=world.social_worker)
    involve(
        CaseFactory(child=lodger, local_authority=world.social_care),
        "nm-housing",
        AgencyType.HOUSING,
    )
    involve(CaseFactory(local_authority=world.social_care), "nm-stranger")
    return brother


def test_the_front_door_gets_the_referral_and_every_other_agency_an_alert(world, family, refer):
    referral = refer()
    assert referral.local_authority == world.social_care
    assert recipients("referral") == {"nm-csc"}
    alerts = {
        n.link: {r.agency.code for r in n.recipients.all()}
        for n in Notice.objects.filter(notice_type="alert")
    }
    # The child's own network may open the referral; the family's is told the gist.
    assert alerts == {
        f"/referrals/{referral.pk}/": {"nm-police", "nm-school"},
        "": {"nm-gp", "nm-housing"},
    }
    # Never the referrer's own agency (health visiting), an ended or unrelated involvement.
    assert not recipients("alert") & {"nm-hv", "nm-csc", "nm-ended", "nm-stranger"}
    # The family's agencies get the categories, not the concerns in the referrer's words.
    family_alert = Notice.objects.get(notice_type="alert", link="")
    assert "burn" not in family_alert.body and "Physical abuse" in family_alert.body
    assert (
        CONCERNS in Notice.objects.get(notice_type="alert", link=f"/referrals/{referral.pk}/").body
    )
    event = AuditEvent.objects.get(action="create", object_id=str(referral.pk))
    assert (event.actor, event.child_id) == (world.health_visitor, world.child.pk)


def test_a_child_with_no_one_else_involved_gets_only_the_referral(world, refer):
    refer()
    assert Notice.objects.filter(notice_type="referral").count() == 1
    assert not Notice.objects.filter(notice_type="alert").exists()


def test_an_unborn_baby_of_a_known_mother_alerts_her_other_childrens_agencies(world, refer):
    involve(world.case, "nm-police", AgencyType.POLICE)
    referral = refer(
        new_child={"kind": "unborn", "expected_delivery_date": dt.date(2026, 9, 1)},
        parent=world.mother,
    )
    baby = referral.child
    assert (baby.kind, baby.full_name, baby.recorded_by_agency) == (
        "unborn",
        "Unborn baby Marsh",
        world.health,
    )
    assert Relationship.objects.filter(person_a=world.mother, person_b=baby, type="mother").exists()
    assert referral.local_authority == world.social_care  # by the referrer's area
    assert recipients("alert") == {"nm-police"}  # Riley's network, less the referrer's agency


@pytest.mark.parametrize(
    ("received", "urgency", "due"),
    [
        # One working day: by the close of the next working day after it arrives.
        (dt.datetime(2026, 6, 3, 10, 0), "standard", dt.datetime(2026, 6, 4, 17, 0)),
        (dt.datetime(2026, 6, 5, 15, 0), "standard", dt.datetime(2026, 6, 8, 17, 0)),
        (dt.datetime(2026, 6, 6, 11, 0), "standard", dt.datetime(2026, 6, 8, 17, 0)),
        # Friday before the spring bank holiday: Tuesday.
        (dt.datetime(2026, 5, 22, 15, 0), "standard", dt.datetime(2026, 5, 26, 17, 0)),
        # Urgent: the same day when it arrives in working hours, else the next.
        (dt.datetime(2026, 6, 3, 10, 0), "urgent", dt.datetime(2026, 6, 3, 17, 0)),
        (dt.datetime(2026, 6, 3, 18, 0), "urgent", dt.datetime(2026, 6, 4, 17, 0)),
        (dt.datetime(2026, 6, 6, 11, 0), "immediate", dt.datetime(2026, 6, 8, 17, 0)),
    ],
)
def test_a_decision_is_due_within_one_working_day(received, urgency, due):
    assert decision_due(received.replace(tzinfo=LONDON), urgency) == due.replace(tzinfo=LONDON)


def test_the_referral_records_when_its_decision_is_due(world, refer):
    referral = refer(urgency="urgent")
    assert referral.decision_due_at == decision_due(referral.received_at, "urgent")
    assert referral.status == "awaiting_decision"
    # An urgent referral must be acknowledged within two working hours.
    sent = NoticeRecipient.objects.get(notice__notice_type="referral")
    assert sent.acknowledge_by == add_working_hours(sent.notice.created_at, 2)


def test_a_new_child_is_referred_to_the_front_door_of_the_referrers_area(world, refer):
    referral = refer(
        new_child={
            "kind": "child",
            "given_names": "Tia",
            "family_name": "Brook",
            "date_of_birth": dt.date(2022, 4, 1),
        }
    )
    assert referral.local_authority == world.social_care
    assert referral.child.recorded_by_agency == world.health
    assert recipients("referral") == {"nm-csc"}


# --- bad input saves nothing ----------------------------------------------------------


def assert_refused(call, *expected: str) -> ValidationError:
    people, audit = Person.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        call()
    assert set(expected) <= codes(caught.value), codes(caught.value)
    assert not Referral.objects.exists()
    assert not Notice.objects.exists()
    assert (Person.objects.count(), AuditEvent.objects.count()) == (people, audit)
    return caught.value


def test_a_referral_without_concerns_is_refused(refer):
    error = assert_refused(lambda: refer(concerns="   "), "concerns_required")
    assert error.message_dict == {"concerns": ["Describe your concerns about the child"]}


def test_every_problem_is_reported_at_once(refer):
    assert_refused(
        lambda: refer(
            concerns="", categories=[], urgency="", family_told="", sharing_basis="maybe"
        ),
        "concerns_required",
        "categories_required",
        "urgency_required",
        "family_told_required",
        "sharing_basis_required",
    )


def test_an_unborn_child_without_an_expected_date_is_refused(refer):
    error = assert_refused(
        lambda: refer(new_child={"kind": "unborn", "family_name": "Marsh"}),
        "unborn_needs_expected_date",
    )
    assert list(error.message_dict) == ["new_child.expected_delivery_date"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"categories": ["gossip"]}, "invalid_choice"),
        ({"new_child": {"kind": "adult", "family_name": "Marsh"}}, "kind_required"),
        ({"new_child": {"kind": "child", "family_name": "Brook"}}, "child_needs_date_of_birth"),
        (
            {"new_child": {"kind": "child", "date_of_birth": dt.date(2022, 1, 1)}},
            "family_name_required",
        ),
        (
            {
                "new_child": {
                    "kind": "unborn",
                    "family_name": "M",
                    "expected_delivery_date": dt.date(2026, 9, 1),
                    "date_of_birth": dt.date(2026, 1, 1),
                }
            },
            "unborn_has_birth_date",
        ),
    ],
)
def test_bad_details_are_refused(refer, change, code):
    assert_refused(lambda: refer(**change), code)


def test_an_adult_is_not_referred_to_childrens_social_care(world, refer):
    assert_refused(lambda: refer(child=world.mother), "not_a_child")


def test_a_child_and_a_new_child_together_or_neither_are_refused(world):
    fields = referral_fields()
    for which in ({}, {"child": world.child, "new_child": {"kind": "unborn"}}):
        assert_refused(
            lambda which=which: make_referral(actor=world.health_visitor, **fields, **which),
            "child_required",
        )


def test_an_administrator_does_not_refer(world, refer):
    assert_refused(lambda: refer(actor=world.administrator), "not_a_practitioner")


def test_a_child_out_of_reach_is_not_found(world, refer):
    with pytest.raises(Http404):
        refer(actor=world.outsider)
    assert not Referral.objects.exists()


def test_an_area_without_a_front_door_is_told_to_telephone(refer):
    school = AgencyFactory(code="far-school", agency_type=AgencyType.EDUCATION, area="Nowhere")
    teacher = PractitionerFactory(agency=school)
    assert_refused(
        lambda: refer(
            actor=teacher,
            new_child={"kind": "child", "family_name": "Lee", "date_of_birth": dt.date(2020, 1, 1)},
        ),
        "no_front_door",
    )


# --- who reads a referral -------------------------------------------------------------


def test_the_referral_is_read_by_those_who_need_to(world, front_door, refer):
    referral = refer()
    hv_lead = PractitionerFactory(agency=world.health, role="safeguarding_lead")
    hv_colleague = PractitionerFactory(agency=world.health)
    other_front_door = PractitionerFactory(
        agency=AgencyFactory(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE, area="Farshire"),
        role="front_door_officer",
    )
    readers = {
        "referrer": world.health_visitor,
        "referrer's lead": hv_lead,
        "colleague in the network": hv_colleague,  # sees the child through the network
        "social worker": world.social_worker,
        "front door": front_door,
    }
    for who, actor in readers.items():
        assert referrals_visible_to(actor).filter(pk=referral.pk).exists(), who
    for actor in (world.outsider, world.administrator, other_front_door):
        assert not referrals_visible_to(actor).filter(pk=referral.pk).exists(), actor

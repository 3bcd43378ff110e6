"""The referral pages: make one, the front door's queue, the decision."""

import datetime as dt
from html import unescape

from django.urls import reverse
from django.utils import timezone

from threadline.agencies.models import AgencyType, Role
from threadline.audit.models import AuditEvent
from threadline.people.models import Person
from threadline.referrals.models import Referral

from ..factories import AgencyFactory, PractitionerFactory, ReferralFactory
from .conftest import CONCERNS

NEW = reverse("referral-create")


def text(response) -> str:
    return unescape(response.content.decode())


def form_data(**overrides) -> dict:
    return {
        "concerns": CONCERNS,
        "categories": ["physical_abuse"],
        "urgency": "urgent",
        "family_told": "Mother told at the clinic",
        "sharing_basis": "consent",
    } | overrides


def unborn(**overrides) -> dict:
    return form_data(
        **{
            "kind": "unborn",
            "family_name": "Marsh",
            "expected_delivery_date_day": "1",
            "expected_delivery_date_month": "9",
            "expected_delivery_date_year": "2026",
        }
        | overrides
    )


def test_an_empty_referral_shows_the_error_summary(client, world):
    client.force_login(world.health_visitor)
    page = client.get(NEW)
    assert page.status_code == 200
    assert "Make a referral to children's social care" in text(page)
    response = client.post(NEW, {})
    html = text(response)
    assert response.status_code == 200
    assert "There is a problem" in html
    for message in (
        "Select whether the child has been born or is unborn",
        "Describe your concerns about the child",
        "Select at least one category of concern",
        "Select how urgent the referral is",
    ):
        assert message in html
    assert '<a href="#id_concerns">' in html
    assert not Referral.objects.exists()


def test_an_unborn_child_without_an_expected_date_is_shown_on_the_field(client, world):
    client.force_login(world.health_visitor)
    people = Person.objects.count()
    response = client.post(NEW, form_data(kind="unborn", family_name="Marsh"))
    html = text(response)
    assert "Enter the expected delivery date for an unborn child" in html
    assert (Person.objects.count(), Referral.objects.count()) == (people, 0)


def test_a_referral_of_an_unborn_baby_is_sent(client, world):
    client.force_login(world.health_visitor)
    response = client.post(NEW, unborn())
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referral-detail", args=[referral.pk])
    assert referral.child.kind == "unborn" and referral.urgency == "urgent"
    page = text(client.get(response["Location"]))
    assert "Referral sent to Northmoor Children's Social Care" in page
    assert "Unborn baby Marsh" in page and "Awaiting decision" in page


def test_baby_of_a_mother_the_referrer_can_see(client, world):
    client.force_login(world.health_visitor)
    url = f"{NEW}?parent={world.mother.pk}"
    page = text(client.get(url))
    assert "A child of Kerry Marsh" in page
    assert "How is Kerry Marsh related to the child?" in page
    data = unborn(family_name="", parent_relationship="mother")
    assert client.post(url, data).status_code == 302
    baby = Referral.objects.get().child
    assert baby.family_name == "Marsh"
    client.force_login(world.outsider)  # someone who cannot see the mother
    assert client.get(url).status_code == 404


def test_a_child_on_threadline_is_referred_from_their_page(client, world):
    client.force_login(world.health_visitor)
    url = reverse("child-referral-create", args=[world.child.pk])
    page = text(client.get(url))
    assert "Riley Marsh" in page and "Has the child been born?" not in page
    assert client.post(url, form_data()).status_code == 302
    assert Referral.objects.get().child == world.child
    adult = reverse("child-referral-create", args=[world.mother.pk])
    assert client.get(adult).status_code == 404


def test_the_front_door_sees_what_is_due_and_what_is_overdue(client, world, front_door):
    late = ReferralFactory(
        child=world.child,
        local_authority=world.social_care,
        referrer=world.health_visitor,
        received_at=timezone.now() - dt.timedelta(days=3),
        decision_due_at=timezone.now() - dt.timedelta(days=1),
    )
    ReferralFactory(local_authority=world.social_care, referrer=world.health_visitor)
    client.force_login(front_door)
    html = text(client.get(reverse("front-door")))
    assert "2 awaiting decision" in html and "1 overdue" in html
    assert html.count("Overdue") == 1
    assert reverse("referral-decide", args=[late.pk]) in html
    assert AuditEvent.objects.filter(
        actor=front_door, action="search", summary="Listed referrals awaiting decision"
    ).exists()


def test_a_decision_without_rationale_shows_the_error(client, world, front_door, refer):
    referral = refer()
    client.force_login(front_door)
    url = reverse("referral-decide", args=[referral.pk])
    assert "Decide the referral" in text(client.get(url))
    html = text(client.post(url, {"decision": "assessment"}))
    assert "There is a problem" in html and "Give the rationale for your decision" in html
    assert Referral.objects.get().status == "awaiting_decision"


def test_the_front_door_decides_and_the_referrer_is_told(client, world, front_door, refer):
    referral = refer()
    client.force_login(front_door)
    url = reverse("referral-decide", args=[referral.pk])
    response = client.post(url, {"decision": "early_help", "rationale": "Family hub can help"})
    assert response.status_code == 302 and response["Location"] == reverse("front-door")
    referral.refresh_from_db()
    assert (referral.decision, referral.decided_by) == ("early_help", front_door)
    # Deciding again goes back to the referral.
    assert client.get(url)["Location"] == reverse("referral-detail", args=[referral.pk])
    client.force_login(world.health_visitor)
    html = text(client.get(reverse("referral-detail", args=[referral.pk])))
    assert "Signpost to universal services or early help" in html
    assert "Family hub can help" in html


def test_a_front_door_officer_of_another_authority_may_not_decide(client, world, refer):
    referral = refer()
    # A neighbouring authority in the same area sees the child (recorded there), so the
    # referral too; deciding it is for the authority holding the child's case.
    neighbour = AgencyFactory(code="nm-csc-east", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    officer = PractitionerFactory(agency=neighbour, role=Role.FRONT_DOOR_OFFICER)
    client.force_login(officer)
    assert client.get(reverse("referral-detail", args=[referral.pk])).status_code == 200
    assert client.get(reverse("referral-decide", args=[referral.pk])).status_code == 403
    assert AuditEvent.objects.filter(actor=officer, action="denied").exists()


def test_my_referrals_and_my_agencys(client, world, refer):
    refer()
    client.force_login(world.health_visitor)
    assert "Riley Marsh" in text(client.get(reverse("referral-list")))
    client.force_login(world.social_worker)  # sees the child, made no referral
    assert "No referrals yet" in text(client.get(reverse("referral-list")))

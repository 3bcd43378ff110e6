import datetime as dt

import pytest
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.sharing.models import SharingAgreement

from ..factories import SharingAgreementFactory
from .helpers import assert_error

AGREEMENTS = "/api/v1/sharing-agreements/"


def agreement_url(agreement, action: str = "") -> str:
    return f"{AGREEMENTS}{agreement.pk}/{action + '/' if action else ''}"


@pytest.fixture
def valid(world) -> dict:
    return {
        "title": "Northmoor police and children's social care",
        "provider": "far-police",
        "recipient": str(world.social_care.pk),
        "categories": ["police_intelligence", "probation", "police_intelligence"],
        "purpose": "Section 47 enquiries",
        "legal_basis": "children_act_s47",
        "from_date": "2025-04-01",
        "to_date": "2028-03-31",
    }


# --- read ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["health_visitor", "outsider", "administrator", "auditor"])
def test_every_signed_in_caller_reads_the_register(world, api_client_for, persona):
    body = api_client_for(getattr(world, persona)).get(AGREEMENTS).json()
    assert body["count"] == 2
    shared = {(a["provider"]["code"], a["recipient"]["code"]): a for a in body["results"]}
    assert set(shared) == {("nm-csc", "nm-hv"), ("nm-hv", "nm-csc")}
    agreement = shared["nm-csc", "nm-hv"]
    assert agreement["categories"] == ["social_care"]
    assert agreement["provider"] == {
        "id": str(world.social_care.pk),
        "code": "nm-csc",
        "name": "Northmoor Children's Social Care",
    }
    assert (agreement["from_date"], agreement["to_date"]) == ("2024-01-01", "2030-12-31")
    assert agreement["in_force"] is True
    assert set(agreement) == {
        "id",
        "title",
        "provider",
        "recipient",
        "categories",
        "purpose",
        "legal_basis",
        "from_date",
        "to_date",
        "in_force",
    }


def test_one_agreement_and_an_unknown_one(world, api_client_for):
    agreement = SharingAgreementFactory(
        provider=world.health,
        recipient=world.outsider_agency,
        categories=["health", "mental_health"],
        to_date=dt.date(2024, 12, 31),
    )
    client = api_client_for(world.outsider)
    body = client.get(agreement_url(agreement)).json()
    assert body["categories"] == ["health", "mental_health"]
    assert body["in_force"] is False
    missing = f"{AGREEMENTS}00000000-0000-0000-0000-000000000000/"
    assert_error(client.get(missing), 404, "not_found")


# --- record --------------------------------------------------------------------------


def test_an_administrator_records_an_agreement(world, api_client_for, valid):
    response = api_client_for(world.administrator).post(AGREEMENTS, valid, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"{AGREEMENTS}{body['id']}/"
    assert body["categories"] == ["police_intelligence", "probation"]
    assert (body["provider"]["code"], body["recipient"]["code"]) == ("far-police", "nm-csc")
    assert body["legal_basis"] == "children_act_s47"
    event = AuditEvent.objects.get(action="permission_change", object_id=body["id"])
    assert event.actor == world.administrator
    assert "police_intelligence, probation" in event.summary


@pytest.mark.parametrize("persona", ["social_worker", "safeguarding_lead", "auditor", "outsider"])
def test_only_administrators_record_agreements(world, api_client_for, valid, persona):
    response = api_client_for(getattr(world, persona)).post(AGREEMENTS, valid, format="json")
    assert_error(response, 403, "forbidden")
    assert SharingAgreement.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"to_date": "2025-03-31"}, "end_before_start", "to_date"),
        ({"recipient": "far-police"}, "same_agency", "recipient"),
        ({"categories": []}, "no_categories", "categories"),
        ({"categories": "health"}, "not_a_list", "categories"),
        ({"categories": ["health", "gossip"]}, "invalid_choice", "categories.1"),
        ({"provider": "nobody"}, "unknown_agency", "provider"),
        ({"legal_basis": "because"}, "invalid_choice", "legal_basis"),
        ({"from_date": "1 April"}, "invalid", "from_date"),
        ({"title": ""}, "blank", "title"),
        ({"title": None}, "null", "title"),
    ],
)
def test_bad_agreements_are_refused(world, api_client_for, valid, change, code, field):
    response = api_client_for(world.administrator).post(AGREEMENTS, valid | change, format="json")
    assert_error(response, 400, code, field)
    assert SharingAgreement.objects.count() == 2


def test_a_missing_field_is_named(world, api_client_for, valid):
    del valid["purpose"]
    response = api_client_for(world.administrator).post(AGREEMENTS, valid, format="json")
    assert_error(response, 400, "required", "purpose")


def test_recording_twice_with_one_idempotency_key_records_once(world, api_client_for, valid):
    client = api_client_for(world.administrator)
    first = client.post(AGREEMENTS, valid, format="json", HTTP_IDEMPOTENCY_KEY="agr-1")
    again = client.post(AGREEMENTS, valid, format="json", HTTP_IDEMPOTENCY_KEY="agr-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert SharingAgreement.objects.count() == 3


# --- end -----------------------------------------------------------------------------


def test_an_administrator_ends_an_agreement_and_access_stops(world, api_client_for):
    agreement = SharingAgreement.objects.get(provider=world.social_care, recipient=world.health)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = api_client_for(world.administrator).post(
        agreement_url(agreement, "end"), {"to_date": yesterday.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["to_date"], body["in_force"]) == (yesterday.isoformat(), False)
    assert AuditEvent.objects.filter(
        action="permission_change",
        object_id=str(agreement.pk),
        summary=f"Agreement ends {yesterday}",
    ).exists()
    # The health visitor no longer sees social care's part of the network.
    case = api_client_for(world.health_visitor).get(f"/api/v1/cases/{world.case.pk}/").json()
    assert "nm-csc" not in {i["agency"]["code"] for i in case["involvements"]}


def test_only_administrators_end_agreements(world, api_client_for):
    agreement = SharingAgreement.objects.first()
    response = api_client_for(world.safeguarding_lead).post(
        agreement_url(agreement, "end"), {"to_date": "2025-01-01"}, format="json"
    )
    assert_error(response, 403, "forbidden")
    agreement.refresh_from_db()
    assert agreement.to_date == dt.date(2030, 12, 31)


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"to_date": "2023-12-31"}, "end_before_start", "to_date"),
        ({}, "required", "to_date"),
        ({"to_date": "soon"}, "invalid", "to_date"),
    ],
)
def test_bad_ends_are_refused(world, api_client_for, payload, code, field):
    agreement = SharingAgreement.objects.first()
    response = api_client_for(world.administrator).post(
        agreement_url(agreement, "end"), payload, format="json"
    )
    assert_error(response, 400, code, field)
    agreement.refresh_from_db()
    assert agreement.to_date == dt.date(2030, 12, 31)


def test_ending_an_unknown_agreement_is_404(world, api_client_for):
    response = api_client_for(world.administrator).post(
        f"{AGREEMENTS}00000000-0000-0000-0000-000000000000/end/",
        {"to_date": "2025-01-01"},
        format="json",
    )
    assert_error(response, 404, "not_found")

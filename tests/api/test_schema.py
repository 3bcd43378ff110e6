"""The OpenAPI schema is valid and complete: every operation answers every persona
without a server error, and only with status codes the schema documents."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from threadline.audit.models import AuditEvent
from threadline.linkage.models import MatchCandidate, SourceRecord
from threadline.meetings.placements import make_placement_agreement
from threadline.meetings.services import arrange_meeting
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.orders.services import make_order
from threadline.people.models import Relationship
from threadline.risks.services import record_risk
from threadline.sharing.models import AccessRequest, SharingAgreement
from threadline.timescales.models import Task

from ..factories import ChronologyEntryFactory, ReferralFactory, ResidenceFactory
from .helpers import case_review

PERSONAS = ["social_worker", "team_manager", "health_visitor", "outsider", "administrator"]
ROLE_ONLY_READS = {  # 403 for anyone else
    "/api/v1/audit-events/",  # auditors, leads and managers
    "/api/v1/match-candidates/",  # those who decide identities: leads and front doors
    "/api/v1/match-candidates/{id}/",
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema, methods):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in methods:
                yield path, method, operation


@pytest.fixture
def fill(world):
    """Put a real record, which the social worker may see, in each path's `{id}`."""
    residence = ResidenceFactory(person=world.child, recorded_by=world.social_worker)
    order = make_order(  # and with it the clock's tasks
        actor=world.social_worker,
        child=world.child,
        order_type="supervision_order",
        starts_on=dt.date(2026, 3, 2),
    )
    ids = {
        "/api/v1/people/": world.child.pk,
        "/api/v1/addresses/": residence.pk,
        "/api/v1/households/": None,
        "/api/v1/relationships/": Relationship.objects.get().pk,
        "/api/v1/agencies/": world.health.pk,
        "/api/v1/practitioners/": world.health_visitor.pk,
        "/api/v1/cases/": world.case.pk,
        "/api/v1/sharing-agreements/": SharingAgreement.objects.first().pk,
        "/api/v1/access-requests/": AccessRequest.objects.create(
            requester=world.social_worker,
            child=world.child,
            provider=world.health,
            category="mental_health",
            reason="Mother's mental health",
        ).pk,
        "/api/v1/audit-events/": None,
        "/api/v1/notices/": send_notice(
            notice_type=NoticeType.ALERT,
            title="Riley seen at A&E",
            body="Seen with a bruise; discharged home.",
            child=world.child,
            practitioners=[world.social_worker],
        )
        .recipients.get()
        .pk,
        "/api/v1/referrals/": ReferralFactory(
            child=world.child, referrer=world.social_worker, local_authority=world.social_care
        ).pk,
        "/api/v1/chronology-entries/": ChronologyEntryFactory(
            agency=world.social_care, author=world.social_worker, children=[world.child]
        ).pk,
        "/api/v1/risk-factors/": record_risk(
            actor=world.social_worker,
            subject=world.child,
            factor="16A",
            evidence="Nappy rash untreated for weeks",
            review_date=timezone.localdate() + dt.timedelta(days=90),
        ).pk,
        "/api/v1/assessment-factors/": None,
        "/api/v1/orders/": order.pk,
        "/api/v1/tasks/": Task.objects.filter(child=world.child).first().pk,
        "/api/v1/rules/": "supervision-order-review",
        "/api/v1/clock/": None,
        "/api/v1/clock-events/": None,
        "/api/v1/meetings/": arrange_meeting(
            actor=world.social_worker,
            children=[world.child],
            meeting_type="core_group",
            starts_at=timezone.now() + dt.timedelta(days=7),
            place="Northmoor Civic Centre",
            reports_from=[world.health],
        ).pk,
        "/api/v1/placement-agreements/": make_placement_agreement(
            actor=world.social_worker,
            child=world.child,
            facility="Harbour House parent and baby unit",
            starts_on=timezone.localdate() - dt.timedelta(weeks=3),
            planned_end_on=timezone.localdate() + dt.timedelta(weeks=9),
            exit_strategy="Kerry and Riley go to the grandparents' home",
            roles=[{"party": "Harbour House", "responsibilities": "Supervision of care"}],
        ).pk,
    }
    waiting = SourceRecord.objects.create(
        agency=world.social_care,
        local_id="CSC-2",
        first_name="Rosie",
        surname="Marsh",
        received_at=timezone.now(),
    )
    ids["/api/v1/match-candidates/"] = MatchCandidate.objects.create(
        record=waiting, person=world.child, probability=0.95, match_weight=4.2
    ).pk
    review = case_review(world)  # the social worker sits on its panel
    ids |= {
        "/api/v1/reviews/": review.review.pk,
        "/api/v1/recommendations/": review.recommendation.pk,
        "/api/v1/actions/": review.action.pk,
        "/api/v1/agency-reports/": review.report.pk,
    }

    def filled(path: str) -> str:
        prefix = next(p for p in ids if path.startswith(p))
        return (
            path.replace("{id}", str(ids[prefix]))
            .replace("{agency}", world.health.code)
            .replace("{evidence_id}", str(review.evidence.pk))
        )

    return filled


def required_query(operation, world) -> dict:
    names = [
        p["name"]
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    ]
    # the export's, the replay's, the clock events' and the placement agreements' `child`;
    # the replay's day
    values = {"person": world.child.pk, "child": world.child.pk, "as_of": "2026-11-02"}
    assert set(names) <= set(values), names
    return {name: values[name] for name in names}


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    GENERATOR_STATS.reset()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )


def test_the_schema_and_docs_are_served(client, world):
    client.force_login(world.social_worker)
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


def test_every_operation_documents_its_errors_with_the_error_component(schema):
    for path, method, operation in operations(schema, {"get", "post", "patch"}):
        responses = operation["responses"]
        assert "401" in responses, (method, path)
        assert "503" in responses, (method, path)  # the database restarting
        for code, response in responses.items():
            if code >= "400":
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, path, code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_read_answers_with_a_documented_status(schema, world, fill, api_client_for, persona):
    client = api_client_for(getattr(world, persona))
    for path, _method, operation in operations(schema, {"get"}):
        response = client.get(fill(path), required_query(operation, world))
        assert str(response.status_code) in operation["responses"], (path, response.content)
        if persona == "social_worker" and path not in ROLE_ONLY_READS:
            assert response.status_code == 200, (path, response.content)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_write_refuses_an_empty_body_with_a_documented_status(
    schema, world, fill, api_client_for, persona
):
    client = api_client_for(getattr(world, persona))
    for path, method, operation in operations(schema, {"post", "patch"}):
        response = getattr(client, method)(fill(path), {}, format="json")
        assert response.status_code < 500, (method, path)
        assert str(response.status_code) in operation["responses"], (
            method,
            path,
            response.status_code,
            response.content,
        )
        if response.status_code < 300:  # only a write that takes no body succeeds
            assert "requestBody" not in operation, (method, path)
            continue
        assert response.json()["code"]


def test_every_operation_needs_sign_in(schema, world, fill, client):
    for path, method, operation in operations(schema, {"get", "post", "patch"}):
        response = getattr(client, method)(fill(path), required_query(operation, world))
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "not_authenticated"


def test_schema_and_docs_need_sign_in(client):
    assert client.get("/api/v1/schema/").status_code in {401, 403}


def test_api_refusals_are_audited(world, api_client_for):
    response = api_client_for(world.outsider).get(f"/api/v1/people/{world.child.pk}/")
    assert response.status_code == 404
    denied = AuditEvent.objects.get(action="denied", actor=world.outsider)
    assert str(world.child.pk) in denied.summary

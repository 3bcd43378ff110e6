"""/api/v1/chronology-entries/: list with filters, create, read, amend (PATCH: a new
version), entered in error, no DELETE, bulk all-or-none with errors by row, export."""

import base64
import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.chronology.models import ChronologyEntry, EntryVersion

from ..api.helpers import assert_error
from ..factories import ChronologyEntryFactory, PersonFactory
from .conftest import PDF

LIST = "/api/v1/chronology-entries/"
BULK = "/api/v1/chronology-entries/bulk/"
EXPORT = "/api/v1/chronology-entries/export/"


def detail(entry) -> str:
    return f"{LIST}{entry.pk}/"


def body(world, **overrides) -> dict:
    return {
        "children": [str(world.child.pk)],
        "event_at": "2025-06-02T14:30:00+01:00",
        "entry_type": "hospital",
        "summary": "Seen at A&E with a bruise to the cheek",
        "detail": "Mother said Riley fell against the cot",
        "outcome": "Discharged; health visitor told",
        "significance": "significant",
        "source_reference": "ED-2025-118",
    } | overrides


@pytest.fixture
def api(world, api_client_for):
    return api_client_for(world.social_worker)


def test_record_and_read_an_entry(world, api):
    letter = {"filename": "discharge.pdf", "content": base64.b64encode(PDF).decode()}
    response = api.post(LIST, body(world, attachments=[letter]), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Location"] == f"{LIST}{data['id']}/"
    assert data["event_precision"] == "time"  # a date-time was sent
    assert data["agency"]["code"] == "nm-csc" and data["category"] == "social_care"
    assert data["children"][0]["full_name"] == "Riley Marsh"
    assert data["attachments"][0]["original_name"] == "discharge.pdf"
    assert data["version"] == 1 and data["versions"] == []
    read = api.get(f"{LIST}{data['id']}/")
    assert read.status_code == 200 and read["ETag"] == response["ETag"]
    assert AuditEvent.objects.filter(action="view", object_id=data["id"]).exists()


def test_a_date_alone_is_known_to_the_day(world, api):
    response = api.post(LIST, body(world, event_at="2025-06-02"), format="json")
    assert response.json()["event_precision"] == "day"
    assert response.json()["event_at"].startswith("2025-06-02T00:00:00+01:00")


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"event_at": "2099-01-01"}, "event_in_future", "event_at"),
        ({"agency": "nm-hv"}, "not_your_agency", "agency"),
        ({"children": ["00000000-0000-0000-0000-000000000000"]}, "unknown_person", "children"),
        ({"summary": "s" * 201}, "max_length", "summary"),
        (
            {"attachments": [{"filename": "a.exe", "content": base64.b64encode(b"MZ").decode()}]},
            "attachment_type_not_allowed",
            "attachments",
        ),
        (
            {"attachments": [{"filename": "a.pdf", "content": "%%%"}]},
            "invalid_base64",
            "attachments.0",
        ),
        ({"entry_type": "picnic"}, "invalid_choice", "entry_type"),
    ],
)
def test_bad_input_saves_nothing(world, api, overrides, code, field):
    response = api.post(LIST, body(world, **overrides), format="json")
    errors = response.json()["errors"]
    assert response.status_code == 400
    assert any(e["code"] == code and (e["field"] or "").startswith(field) for e in errors), errors
    assert ChronologyEntry.objects.count() == 0


def test_an_attachment_too_big(world, api, settings):
    settings.CHRONOLOGY_ATTACHMENT_MAX_MB = 1
    big = base64.b64encode(b"%PDF-" + b"0" * (1024 * 1024)).decode()
    response = api.post(
        LIST, body(world, attachments=[{"filename": "scan.pdf", "content": big}]), format="json"
    )
    assert_error(response, 400, "attachment_too_big", "attachments")


def test_list_filters(world, api, record):
    record(summary="March visit", event_at=dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC))
    record(
        summary="May disclosure",
        entry_type="disclosure",
        significance="critical",
        event_at=dt.datetime(2025, 5, 20, 10, tzinfo=dt.UTC),
    )
    ChronologyEntryFactory(agency=world.health, children=[world.child], summary="Weighed")
    other = PersonFactory(recorded_by_agency=world.social_care)
    record(children=[other], summary="Another child")

    def summaries(**query) -> list[str]:
        response = api.get(LIST, query)
        assert response.status_code == 200, response.content
        return [e["summary"] for e in response.json()["results"]]

    child = world.child.pk
    assert summaries(child=child) == ["Weighed", "May disclosure", "March visit"]
    assert summaries(child=child, order="oldest")[0] == "March visit"
    assert summaries(child=child, agency="nm-hv") == ["Weighed"]
    assert summaries(child=child, entry_type="disclosure") == ["May disclosure"]
    assert summaries(child=child, significance="critical") == ["May disclosure"]
    assert summaries(child=child, category="health") == ["Weighed"]
    assert summaries(child=child, **{"from": "2025-03-01", "to": "2025-03-31"}) == ["March visit"]
    assert summaries(child=other.pk) == ["Another child"]
    assert_error(api.get(LIST), 400, "required", "child")
    assert_error(
        api.get(LIST, {"child": child, "agency": "nowhere"}), 400, "unknown_agency", "agency"
    )
    backwards = api.get(LIST, {"child": child, "from": "2025-05-01", "to": "2025-01-01"})
    assert_error(backwards, 400, "end_before_start", "to")


def test_listing_a_child_you_cannot_see_is_404(world, api_client_for, record):
    record()
    response = api_client_for(world.outsider).get(LIST, {"child": world.child.pk})
    assert_error(response, 404, "not_found")


def test_amending_makes_a_new_version(world, api, record):
    entry = record(significance="routine")
    etag = api.get(detail(entry))["ETag"]
    change = {"significance": "critical", "reason": "The GP confirmed a fracture"}
    assert_error(api.patch(detail(entry), change, format="json"), 428, "precondition_required")
    response = api.patch(detail(entry), change, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["version"] == 2 and data["significance"] == "critical"
    assert data["versions"][0]["significance"] == "routine"
    assert data["versions"][0]["reason"] == "The GP confirmed a fracture"
    stale = api.patch(detail(entry), {"summary": "x", "reason": "y"}, HTTP_IF_MATCH=etag)
    assert_error(stale, 412, "precondition_failed")
    no_reason = api.patch(
        detail(entry), {"summary": "New"}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert_error(no_reason, 400, "reason_required", "reason")
    assert EntryVersion.objects.count() == 1


def test_another_agency_may_not_amend(world, api_client_for, record):
    entry = record()
    client = api_client_for(world.health_visitor)
    etag = client.get(detail(entry))["ETag"]
    response = client.patch(
        detail(entry), {"summary": "Mine", "reason": "x"}, format="json", HTTP_IF_MATCH=etag
    )
    assert_error(response, 403, "forbidden")


def test_nothing_is_ever_deleted(world, api, record):
    entry = record()
    assert_error(api.delete(detail(entry)), 405, "method_not_allowed")
    response = api.post(
        f"{detail(entry)}entered-in-error/", {"reason": "Wrong child"}, format="json"
    )
    assert response.status_code == 200 and response.json()["entered_in_error"] is True
    assert api.get(LIST, {"child": world.child.pk}).json()["count"] == 0
    shown = api.get(LIST, {"child": world.child.pk, "in_error": "true"}).json()
    assert shown["results"][0]["entered_in_error_reason"] == "Wrong child"
    assert ChronologyEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_saves_all(world, api):
    entries = [body(world, summary=f"Attendance week {n}") for n in range(25)]
    response = api.post(BULK, {"entries": entries}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["count"] == 25 and [r["row"] for r in data["results"]] == list(range(25))
    assert ChronologyEntry.objects.count() == 25


def test_bulk_with_bad_rows_saves_nothing_and_names_them(world, api):
    entries = [body(world) for _ in range(6)]
    entries[2]["summary"] = "s" * 300
    entries[4]["entry_type"] = "picnic"  # refused by the parser
    entries[5]["event_at"] = "2099-01-01"
    response = api.post(BULK, {"entries": entries}, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid" and data["field"] is None
    assert data["message"] == "3 entries have problems; nothing was saved"
    found = {(e["row"], e["field"], e["code"]) for e in data["errors"]}
    assert found == {
        (2, "summary", "max_length"),
        (4, "entry_type", "invalid_choice"),
        (5, "event_at", "event_in_future"),
    }
    assert ChronologyEntry.objects.count() == 0


def test_bulk_limits(world, api):
    too_many = api.post(BULK, {"entries": [body(world)] * 1001}, format="json")
    assert_error(too_many, 400, "too_many", "entries")
    assert_error(api.post(BULK, {}, format="json"), 400, "required", "entries")
    assert ChronologyEntry.objects.count() == 0


def test_a_thousand_entries_at_once(world, api):
    entries = [body(world, summary=f"Contact {n}") for n in range(1000)]
    response = api.post(BULK, {"entries": entries}, format="json")
    assert response.status_code == 201, response.content
    assert ChronologyEntry.objects.count() == 1000


def test_export_returns_a_file_and_is_audited(world, api, record):
    record(summary="Seen at home", source_reference="CN-7", event_at=timezone.now())
    response = api.get(EXPORT, {"child": world.child.pk, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert any("Seen at home" in cell for row in table for cell in row)
    assert any("CN-7" in row for row in table)
    assert AuditEvent.objects.filter(action="export", child_id=world.child.pk).exists()
    for fmt, magic in (("xlsx", b"PK"), ("docx", b"PK"), ("pdf", b"%PDF")):
        document = api.get(EXPORT, {"child": world.child.pk, "format": fmt})
        assert document.status_code == 200 and document.content.startswith(magic), fmt
    odt = api.get(EXPORT, {"child": world.child.pk, "format": "odt"})
    assert_error(odt, 400, "invalid_choice", "format")


def test_export_of_a_child_you_cannot_see_is_404(world, api_client_for):
    response = api_client_for(world.outsider).get(EXPORT, {"child": world.child.pk})
    assert_error(response, 404, "not_found")

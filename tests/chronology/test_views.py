"""The chronology pages: the merged list with its filters, sort and pages; adding,
amending and marking entries with the GOV.UK error summary; attachments; exports; and
the chronology on the child page."""

import csv
import datetime as dt
import html as html_text
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.chronology import services
from threadline.chronology.models import ChronologyEntry

from ..factories import ChronologyEntryFactory
from .conftest import PDF, pdf

LONDON = timezone.get_default_timezone()


def url(name: str, world, *args) -> str:
    return reverse(name, args=[world.child.pk, *args])


def rows(response) -> list[str]:
    html = response.content.decode()
    if '<tbody class="govuk-table__body">' not in html:
        return []
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [
        " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", "<tr" + r)).split())
        for r in body.split("<tr")[1:]
    ]


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.social_worker)
    return client


def test_the_chronology_merges_agencies_newest_first(signed_in, world, record):
    record(summary="Seen at home", event_at=timezone.now() - dt.timedelta(days=9))
    ChronologyEntryFactory(
        agency=world.health,
        children=[world.child],
        summary="Ten-month review: weight dropped",
        significance="significant",
        event_at=timezone.now() - dt.timedelta(days=20),
        recorded_at=timezone.now() - dt.timedelta(days=6),
    )
    response = signed_in.get(url("chronology", world))
    assert response.status_code == 200
    shown = rows(response)
    assert len(shown) == 2
    assert "Seen at home" in shown[0] and "Northmoor Children's Social Care" in shown[0]
    assert "9 days after the event" in shown[0]
    assert "Ten-month review" in shown[1] and "Northmoor Health Visiting" in shown[1]
    assert "Significant" in shown[1] and "14 days after the event" in shown[1]
    oldest = rows(signed_in.get(url("chronology", world), {"sort": "oldest"}))
    assert "Ten-month review" in oldest[0]


def test_filters(signed_in, world, record):
    record(summary="Routine visit", event_at=dt.datetime(2025, 3, 3, 10, tzinfo=LONDON))
    record(
        summary="Disclosure at school",
        entry_type="disclosure",
        significance="critical",
        event_at=dt.datetime(2025, 5, 20, 10, tzinfo=LONDON),
    )
    ChronologyEntryFactory(agency=world.health, children=[world.child], summary="Weighed")
    page = url("chronology", world)

    def shown(query) -> str:
        return " ".join(rows(signed_in.get(page, query)))

    by_agency = shown({"agency": str(world.health.pk)})
    assert "Weighed" in by_agency and "Routine visit" not in by_agency
    assert "Disclosure" in shown({"entry_type": "disclosure"})
    assert "Routine visit" not in shown({"significance": ["critical", "significant"]})
    march = {"since_day": "1", "since_month": "3", "since_year": "2025"}
    march |= {"until_day": "31", "until_month": "3", "until_year": "2025"}
    spring = shown(march)
    assert "Routine visit" in spring and "Disclosure" not in spring and "Weighed" not in spring


def test_a_bad_date_range_shows_the_error_summary(signed_in, world, record):
    record()
    query = {"since_day": "1", "since_month": "6", "since_year": "2025"}
    query |= {"until_day": "1", "until_month": "3", "until_year": "2025"}
    response = signed_in.get(url("chronology", world), query)
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_until_0">The end of the range must be on or after its start</a>' in html
    assert len(rows(response)) == 1  # the filter is not applied, the chronology still shows


def test_fifty_a_page(signed_in, world):
    for n in range(60):
        ChronologyEntryFactory(
            agency=world.social_care,
            children=[world.child],
            summary=f"Contact {n:02d}",
            event_at=timezone.now() - dt.timedelta(days=60 - n),
        )
    first = signed_in.get(url("chronology", world), {"significance": "routine"})
    assert len(rows(first)) == 50 and "Contact 59" in rows(first)[0]
    assert "Page 1 of 2" in first.content.decode()
    second = signed_in.get(url("chronology", world), {"significance": "routine", "page": 2})
    assert len(rows(second)) == 10 and "Contact 00" in rows(second)[-1]
    assert 'href="?significance=routine&amp;page=1"' in second.content.decode()


def test_entered_in_error_is_hidden_unless_asked_for(signed_in, world, record):
    entry = record(summary="Visit to the wrong family")
    services.mark_entered_in_error(actor=world.social_worker, entry=entry, reason="Wrong child")
    response = signed_in.get(url("chronology", world))
    assert "1 entry was entered in error and is hidden" in response.content.decode()
    assert "Visit to the wrong family" not in response.content.decode()
    shown = rows(signed_in.get(url("chronology", world), {"in_error": "on"}))
    assert "Visit to the wrong family" in shown[0] and "Entered in error" in shown[0]


def test_the_family_view(signed_in, world, sister, record):
    record(children=[sister], summary="Skye: school nurse visit")
    assert "Skye" not in " ".join(rows(signed_in.get(url("chronology", world))))
    family = signed_in.get(url("chronology", world), {"scope": "family"})
    assert "About Skye Marsh" in " ".join(rows(family))


def entry_post(**overrides) -> dict:
    return {
        "event_date_day": "14",
        "event_date_month": "7",
        "event_date_year": "2025",
        "event_time": "15:20",
        "event_precision": "time",
        "entry_type": "hospital",
        "summary": "A&E: burn to the hand",
        "detail": "Mother said a cup of tea fell",
        "outcome": "Discharged; GP told",
        "significance": "significant",
        "source_reference": "ED-99",
        "category": "social_care",
        "confidentiality": "normal",
    } | overrides


def test_adding_an_entry_with_an_attachment(signed_in, world, sister):
    page = signed_in.get(url("chronology-entry-create", world))
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert "Skye Marsh" in page.content.decode()  # may be about her sister too
    letter = SimpleUploadedFile("discharge.pdf", PDF, content_type="application/pdf")
    response = signed_in.post(
        url("chronology-entry-create", world),
        entry_post(attachments=letter, also_about=[str(sister.pk)]),
    )
    assert response.status_code == 302 and response["Location"] == url("chronology", world)
    entry = ChronologyEntry.objects.get()
    assert entry.event_at == dt.datetime(2025, 7, 14, 15, 20, tzinfo=LONDON)
    assert set(entry.children.all()) == {world.child, sister}
    assert entry.attachments.get().original_name == "discharge.pdf"


@pytest.mark.parametrize(
    ("post", "anchor", "message"),
    [
        ({"event_date_year": "2099"}, "id_event_date_0", "must be today or in the past"),
        ({"summary": "s" * 201}, "id_summary", "must be 200 characters or fewer"),
        ({"event_time": ""}, "id_event_time", "Enter the time"),
        ({"entry_type": ""}, "id_entry_type", "Select what kind of event it was"),
        (
            {"attachments": SimpleUploadedFile("x.exe", b"MZ")},
            "id_attachments",
            "x.exe must be a PDF",
        ),
    ],
)
def test_adding_an_entry_shows_problems_in_the_error_summary(
    signed_in, world, post, anchor, message
):
    response = signed_in.post(url("chronology-entry-create", world), entry_post(**post))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert re.search(rf'<a href="#{anchor}">[^<]*{re.escape(message)}', html), html
    assert ChronologyEntry.objects.count() == 0


def test_an_entry_with_its_history_amended_and_entered_in_error(signed_in, world, record):
    entry = record(summary="Home visit: all well")
    amend = url("chronology-entry-amend", world, entry.pk)
    assert 'value="Home visit: all well"' in signed_in.get(amend).content.decode()
    response = signed_in.post(
        amend, entry_post(summary="Home visit: bruise seen", reason="Missed from my notes")
    )
    assert response.status_code == 302
    detail = signed_in.get(url("chronology-entry", world, entry.pk)).content.decode()
    assert "Home visit: bruise seen" in detail and "This is version 2" in detail
    assert "Home visit: all well" in detail and "Missed from my notes" in detail
    empty = signed_in.post(url("chronology-entry-in-error", world, entry.pk), {"reason": ""})
    assert '<a href="#id_reason">Say why the entry was entered in error</a>' in (
        empty.content.decode()
    )
    signed_in.post(url("chronology-entry-in-error", world, entry.pk), {"reason": "Duplicate"})
    entry.refresh_from_db()
    assert entry.in_error and entry.entered_in_error_reason == "Duplicate"


def test_another_agency_reads_but_does_not_amend(client, world, record):
    entry = record()
    client.force_login(world.health_visitor)
    detail = client.get(url("chronology-entry", world, entry.pk)).content.decode()
    assert entry.summary in detail and "Amend the entry" not in detail
    response = client.post(
        url("chronology-entry-amend", world, entry.pk), entry_post(reason="Mine now")
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied", actor=world.health_visitor).exists()


def test_downloading_an_attachment_is_audited(signed_in, world, record):
    entry = record(attachments=[pdf("police letter.pdf")])
    attachment = entry.attachments.get()
    response = signed_in.get(url("chronology-attachment", world, entry.pk, attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "police%20letter.pdf" in response["Content-Disposition"] or (
        "police letter.pdf" in response["Content-Disposition"]
    )
    downloaded = AuditEvent.objects.get(action="export", object_id=str(attachment.pk))
    assert downloaded.child_id == world.child.pk


def test_exporting_a_date_range_as_csv(signed_in, world, record):
    record(summary="Before", event_at=dt.datetime(2025, 1, 5, 9, tzinfo=LONDON))
    record(summary="Inside", event_at=dt.datetime(2025, 2, 5, 9, tzinfo=LONDON))
    form = signed_in.get(url("chronology-export", world)).content.decode()
    assert "Excel workbook (XLSX)" in form and "Word document (DOCX)" in form
    query = {"format": "csv", "since_day": "1", "since_month": "2", "since_year": "2025"}
    response = signed_in.get(url("chronology-export", world), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert any("Inside" in cell for row in table for cell in row)
    assert not any("Before" in cell for row in table for cell in row)
    exported = AuditEvent.objects.get(action="export", actor=world.social_worker)
    assert "CSV" in exported.summary and "from 01 Feb 2025" in exported.purpose


def test_an_export_without_a_format_shows_the_error(signed_in, world):
    response = signed_in.get(url("chronology-export", world), {"format": ""})
    assert '<a href="#id_format_0">Select the format of the export</a>' in (
        response.content.decode()
    )


def test_the_child_page_shows_the_latest_significant_events_and_the_timeline(
    signed_in, world, record
):
    for n in range(7):
        record(
            summary=f"Significant event {n}",
            significance="significant",
            event_at=timezone.now() - dt.timedelta(days=10 - n),
        )
    record(summary="A routine contact", significance="routine")
    html = signed_in.get(reverse("person-detail", args=[world.child.pk])).content.decode()
    section = html.split('id="chronology-heading"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in section and "The timeline in words" in section
    latest = section.split("Latest significant events", 1)[1]
    assert "Significant event 6" in latest and "Significant event 2" in latest
    assert "Significant event 1" not in latest  # the latest five
    assert "A routine contact" not in latest
    assert reverse("chronology", args=[world.child.pk]) in section

"""Recording, amending and marking entries as entered in error: every rule, and nothing
saved when one is broken."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.chronology import services
from threadline.chronology.models import Attachment, ChronologyEntry, EntryChild, EntryVersion

from ..errors import codes
from ..factories import AdultFactory, AgencyFactory, PersonFactory
from .conftest import PNG, entry_fields, pdf

LONDON = timezone.get_default_timezone()


def nothing_saved() -> None:
    assert ChronologyEntry.objects.count() == 0
    assert EntryChild.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_an_entry_is_recorded_about_the_child_and_audited(world, record):
    entry = record(source_reference="CN-1042", attachments=[pdf()])
    assert entry.agency == world.social_care
    assert entry.author == world.social_worker
    assert entry.category == "social_care"  # the agency's own information by default
    assert entry.version == 1
    assert abs(entry.recorded_at - timezone.now()) < dt.timedelta(seconds=5)
    link = EntryChild.objects.get(entry=entry)
    assert link.child == world.child and link.event_at == entry.event_at
    attachment = entry.attachments.get()
    assert attachment.original_name == "letter.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read().startswith(b"%PDF")
    assert "letter" not in attachment.file.name  # stored under a name of our own
    event = AuditEvent.objects.get(action="create", object_id=str(entry.pk))
    assert event.child_id == world.child.pk and "Home visit" in event.summary


def test_a_day_or_a_month_is_stored_as_its_start_in_london(record):
    afternoon = dt.datetime(2025, 7, 14, 15, 20, tzinfo=LONDON)
    day = record(event_at=afternoon, event_precision="day")
    assert day.event_at == dt.datetime(2025, 7, 14, tzinfo=LONDON)
    assert day.event_when == "14 Jul 2025"
    month = record(event_at=dt.date(2025, 7, 14), event_precision="month")
    assert month.event_at == dt.datetime(2025, 7, 1, tzinfo=LONDON)
    assert month.event_when == "July 2025"
    timed = record(event_at=afternoon.replace(second=42), event_precision="time")
    assert timed.event_at == afternoon and timed.event_when == "14 Jul 2025, 15:20"


def test_how_late_an_entry_was_recorded(record):
    assert record(event_at=timezone.now()).recorded_after_days == 0
    ten_days = record(event_at=timezone.now() - dt.timedelta(days=10))
    assert ten_days.recorded_after_days == 10
    # Only the month known: counted from its last day, never overstated.
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month = record(event_at=last_month, event_precision="month")
    assert month.recorded_after_days == timezone.localdate().day


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"event_at": timezone.now() + dt.timedelta(days=1)}, "event_at", "event_in_future"),
        ({"event_at": None}, "event_at", "event_required"),
        ({"summary": "x" * 201}, "summary", "max_length"),
        ({"summary": "   "}, "summary", "summary_required"),
        ({"entry_type": ""}, "entry_type", "entry_type_required"),
        ({"entry_type": "picnic"}, "entry_type", "invalid_choice"),
        ({"significance": "urgent"}, "significance", "invalid_choice"),
        ({"source_reference": "R" * 101}, "source_reference", "max_length"),
        ({"children": []}, "children", "children_required"),
        ({"attachments": [pdf("virus.exe")]}, "attachments", "attachment_type_not_allowed"),
        # A renamed file is caught by its first bytes.
        ({"attachments": [pdf("report.pdf", PNG)]}, "attachments", "attachment_type_not_allowed"),
        (
            {"attachments": [pdf("notes.txt", b"MZ\x90\x00")]},
            "attachments",
            "attachment_type_not_allowed",
        ),  # fmt: skip
        ({"attachments": [pdf("empty.pdf", b"")]}, "attachments", "attachment_empty"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, record, overrides, field, code):
    with pytest.raises(ValidationError) as caught:
        record(**({"attachments": [pdf()]} | overrides))
    assert code in {e.code for e in caught.value.error_dict[field]}
    nothing_saved()


def test_an_attachment_too_big(world, record, settings):
    settings.CHRONOLOGY_ATTACHMENT_MAX_MB = 1
    big = pdf("scan.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        record(attachments=[pdf(), big])
    assert codes(caught.value) == {"attachment_too_big"}
    assert "scan.pdf is larger than 1 MB" in caught.value.messages
    nothing_saved()


def test_every_allowed_kind_of_file(record):
    files = [
        pdf("a.pdf"),
        ContentFile(b"PK\x03\x04word", name="b.DOCX"),
        ContentFile(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", name="c.doc"),
        ContentFile(b"PK\x03\x04odt", name="d.odt"),
        ContentFile(b"Plain words", name="e.txt"),
        ContentFile(b"{\\rtf1 hello}", name="f.rtf"),
        ContentFile(b"\xff\xd8\xff\xe0", name="g.jpeg"),
        ContentFile(PNG, name="h.png"),
        ContentFile(b"II*\x00", name="i.tif"),
        ContentFile(b"From: school@example.org\r\n", name="j.eml"),
        ContentFile(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", name="k.msg"),
    ]
    entry = record(attachments=files)
    assert entry.attachments.count() == len(files)


def test_only_your_own_agency(world, record):
    with pytest.raises(ValidationError) as caught:
        record(agency=world.health)
    assert codes(caught.value) == {"not_your_agency"}
    nothing_saved()


def test_only_children_you_can_see(world, record):
    stranger = PersonFactory(recorded_by_agency=world.outsider_agency)
    with pytest.raises(ValidationError) as caught:
        record(children=[world.child, stranger])
    assert codes(caught.value) == {"unknown_person"}
    with pytest.raises(ValidationError) as caught:
        record(actor=world.outsider)  # Riley is outside the outsider's reach
    assert codes(caught.value) == {"unknown_person"}
    adult = AdultFactory(recorded_by_agency=world.social_care)
    with pytest.raises(ValidationError) as caught:
        record(children=[adult])
    assert codes(caught.value) == {"not_a_child"}
    nothing_saved()


def test_administrators_record_nothing(world, record):
    with pytest.raises(ValidationError) as caught:
        record(actor=world.administrator)
    assert codes(caught.value) == {"not_a_practitioner"}


def test_every_problem_at_once(world, record):
    with pytest.raises(ValidationError) as caught:
        record(summary="", event_at=timezone.now() + dt.timedelta(hours=2), agency=world.health)
    assert codes(caught.value) == {"summary_required", "event_in_future", "not_your_agency"}


def test_one_entry_about_several_children_of_a_family(world, record, sister):
    entry = record(children=[world.child, sister, world.child])
    assert set(entry.children.all()) == {world.child, sister}
    assert AuditEvent.objects.filter(action="create", object_id=str(entry.pk)).count() == 2


def test_a_restricted_entry_names_its_author(world, record):
    entry = record(confidentiality="restricted", restricted_to=[world.team_manager])
    assert set(entry.restricted_to.all()) == {world.social_worker, world.team_manager}
    with pytest.raises(ValidationError) as caught:
        record(restricted_to=[world.team_manager])
    assert codes(caught.value) == {"not_restricted"}


# --- amendments -----------------------------------------------------------------------


def test_an_amendment_keeps_the_earlier_wording(world, record):
    entry = record(significance="routine")
    updated_before = entry.updated_at
    new_day = (timezone.now() - dt.timedelta(days=5)).replace(second=0, microsecond=0)
    amended = services.amend_entry(
        actor=world.team_manager,  # a colleague in the recording agency
        entry=entry,
        reason="The bruise was confirmed by the GP",
        significance="significant",
        summary="Home visit: bruise to Riley's cheek",
        event_at=new_day,
    )
    assert amended.version == 2 and amended.significance == "significant"
    assert amended.updated_at > updated_before
    version = EntryVersion.objects.get(entry=entry)
    assert version.version == 1 and version.significance == "routine"
    assert version.summary.startswith("Home visit: Riley seen asleep")
    assert version.replaced_by == world.team_manager
    assert version.reason == "The bruise was confirmed by the GP"
    # The child index follows the new date.
    assert EntryChild.objects.get(entry=entry).event_at == amended.event_at == new_day
    event = AuditEvent.objects.get(action="update", object_id=str(entry.pk))
    assert event.purpose == "The bruise was confirmed by the GP"


def test_amendments_need_a_reason_and_a_change_and_the_rules_of_a_new_entry(world, record):
    entry = record()
    for changes, code in [
        ({"reason": "", "significance": "critical"}, "reason_required"),
        ({"reason": "Typo", "summary": entry.summary}, "nothing_changed"),
        ({"reason": "Typo", "summary": "y" * 201}, "max_length"),
        ({"reason": "Date", "event_at": timezone.now() + dt.timedelta(days=3)}, "event_in_future"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.amend_entry(actor=world.social_worker, entry=entry, **changes)
        assert code in codes(caught.value)
    assert EntryVersion.objects.count() == 0
    entry.refresh_from_db()
    assert entry.version == 1


def test_only_the_recording_agency_amends(world, record):
    entry = record()
    with pytest.raises(ValidationError) as caught:
        services.amend_entry(
            actor=world.health_visitor, entry=entry, reason="Wrong", significance="critical"
        )
    assert codes(caught.value) == {"not_your_agency"}
    with pytest.raises(ValidationError):
        services.mark_entered_in_error(actor=world.health_visitor, entry=entry, reason="Wrong")


def test_entered_in_error_is_kept_with_the_reason(world, record):
    entry = record()
    with pytest.raises(ValidationError) as caught:
        services.mark_entered_in_error(actor=world.social_worker, entry=entry, reason=" ")
    assert codes(caught.value) == {"reason_required"}
    marked = services.mark_entered_in_error(
        actor=world.social_worker, entry=entry, reason="Recorded on the wrong child"
    )
    assert marked.in_error and marked.entered_in_error_by == world.social_worker
    assert ChronologyEntry.objects.filter(pk=entry.pk).exists()  # never deleted
    with pytest.raises(ValidationError) as caught:
        services.amend_entry(
            actor=world.social_worker, entry=entry, reason="Fix", significance="critical"
        )
    assert codes(caught.value) == {"entered_in_error"}


# --- bulk -----------------------------------------------------------------------------


def bulk_row(world, **overrides) -> dict:
    return {"children": [world.child.pk]} | entry_fields() | overrides


def test_bulk_records_every_entry(world):
    rows = [bulk_row(world, summary=f"School attendance week {n}") for n in range(30)]
    entries = services.record_entries_bulk(actor=world.social_worker, rows=rows)
    assert len(entries) == 30 == ChronologyEntry.objects.count()
    assert EntryChild.objects.filter(child=world.child).count() == 30
    assert [e.summary for e in entries] == [r["summary"] for r in rows]


def test_bulk_with_one_bad_row_saves_nothing_and_names_the_rows(world):
    stranger = PersonFactory(recorded_by_agency=AgencyFactory())
    rows = [bulk_row(world) for _ in range(5)]
    rows[1]["summary"] = "z" * 250
    rows[3]["children"] = [stranger.pk]
    rows[3]["event_at"] = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(services.RowsInvalid) as caught:
        services.record_entries_bulk(actor=world.social_worker, rows=rows)
    problems = {
        row: {name: {e.code for e in errors} for name, errors in fields.items()}
        for row, fields in caught.value.rows.items()
    }
    assert problems == {
        1: {"summary": {"max_length"}},
        3: {"children": {"unknown_person"}, "event_at": {"event_in_future"}},
    }
    nothing_saved()


def test_bulk_limits(world):
    with pytest.raises(ValidationError) as caught:
        services.record_entries_bulk(actor=world.social_worker, rows=[])
    assert codes(caught.value) == {"entries_required"}
    with pytest.raises(ValidationError) as caught:
        services.record_entries_bulk(
            actor=world.social_worker, rows=[bulk_row(world)] * (services.BULK_MAX + 1)
        )
    assert codes(caught.value) == {"too_many"}
    nothing_saved()

"""`threadline import-people INPUT.csv --agency CODE`: load an agency's extract of the
people it knows into Threadline, and link each record.

The columns are the batch linkage CSV's (record_id, source, nhs_number, first_name,
surname, dob, sex, postcode, address) plus the agency's `local_id`. All or nothing: every
problem in the file is reported by row and nothing is imported. Idempotent: a row already
imported unchanged changes nothing; a changed row is a new version of that record."""

from collections import Counter
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.linkage import services
from threadline.linkage.engine import CsvError, read_records_csv
from threadline.linkage.models import RECORD_FIELDS, SourceRecord

MAX_LENGTHS = {
    name: getattr(SourceRecord._meta.get_field(name), "max_length", None)
    for name in ("local_id", *RECORD_FIELDS)
    if name != "dob"
}


class Command(BaseCommand):
    help = (
        "Import an agency's extract of the people it knows (CSV: record_id, source, "
        "nhs_number, first_name, surname, dob, sex, postcode, address, local_id) and link "
        "each record: to a person (the model is sure), to the review queue (it is not), or "
        "to a new person (no one matches). All or nothing; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the agency's CSV extract")
        parser.add_argument("--agency", required=True, help="the agency's code")
        parser.add_argument(
            "--by",
            default="",
            help="the username of the practitioner importing it, for the audit trail "
            "(by default, the import is recorded as the agency's)",
        )

    def handle(self, *args, path: Path, agency: str, by: str, **options):
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            raise CommandError(f"No agency has the code {agency!r}; nothing was imported.")
        actor = None
        if by:
            actor = Practitioner.objects.filter(username=by, agency=found, is_active=True).first()
            if actor is None:
                raise CommandError(f"{by!r} is not an active practitioner of {found.name}.")
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            rows = read_records_csv(path, extra_required=("local_id", "surname"))
        except CsvError as error:
            raise CommandError(str(error)) from error
        problems = self._check(rows)
        if problems:
            raise CommandError(CsvError(problems).args[0])
        counts: Counter = Counter()
        received_at = timezone.now()
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):
                try:
                    result = services.receive_record(
                        actor=actor,
                        agency=found,
                        local_id=row["local_id"],
                        fields={name: row.get(name) for name in RECORD_FIELDS},
                        received_at=received_at,
                    )
                except ValidationError as error:
                    raise CommandError(
                        "The CSV file has errors; nothing was imported.\n"
                        f"row {number}: " + "; ".join(error.messages)
                    ) from error
                counts[result.change] += 1
                if result.resolution:
                    counts[result.resolution] += 1
        self.stdout.write(
            f"Imported {len(rows)} records for {found.name}: {counts['created']} new, "
            f"{counts['updated']} changed, {counts['unchanged']} unchanged. Linked "
            f"{counts['linked']} to people already known, sent {counts['queued']} to the "
            f"review queue, recorded {counts['new_person']} new people."
        )

    def _check(self, rows: list[dict]) -> list[tuple[int, str]]:
        """What the engine's reader does not know: a local id used twice, a date of birth
        in the future, a value too long to keep."""
        problems: list[tuple[int, str]] = []
        seen: dict[str, int] = {}
        today = timezone.localdate()
        for number, row in enumerate(rows, start=2):
            local_id = row["local_id"]
            if local_id in seen:
                problems.append((number, f"local_id '{local_id}' repeats row {seen[local_id]}"))
            seen.setdefault(local_id, number)
            if local_id.startswith("threadline:"):
                problems.append((number, "local_id may not start with 'threadline:'"))
            if row.get("dob") and date.fromisoformat(row["dob"]) > today:
                problems.append((number, f"dob {row['dob']} is in the future"))
            for name, limit in MAX_LENGTHS.items():
                if limit and row.get(name) and len(row[name]) > limit:
                    problems.append((number, f"{name} is longer than {limit} characters"))
        return problems

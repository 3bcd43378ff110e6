"""`threadline extract-recommendations PATH`: the numbered recommendations that a review
document (plain text, .docx or PDF) would propose, as JSON. Saves nothing."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from threadline.agencies.models import Agency
from threadline.reviews.extraction import MAX_BYTES, ExtractionError, document_text, extract


class Command(BaseCommand):
    help = (
        "Print the numbered recommendations found in a case-review document (plain text, "
        "Word .docx or PDF) as a JSON array of {number, text, addressed_to}; addressed_to "
        "is the name of an agency in the database where the text names one. Saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the review document")

    def handle(self, *args, path: Path, **options):
        try:
            if not path.exists():
                raise CommandError(f"No such file: {path}")
            if not path.is_file():
                raise CommandError(f"Not a file: {path}")
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path}: the file is larger than 10 MB")
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        try:
            text = document_text(content, path.name)
        except ExtractionError as error:
            raise CommandError(f"{path}: {error}") from error
        found = extract(text, agencies=self._agency_names())
        self.stdout.write(
            json.dumps(
                [
                    {"number": p.number, "text": p.text, "addressed_to": p.addressed_to}
                    for p in found
                ],
                indent=2,
                ensure_ascii=False,
            )
        )

    def _agency_names(self) -> list[str]:
        """The agencies' names, or none where there is no database to ask (yet)."""
        try:
            return list(Agency.objects.values_list("name", flat=True))
        except DatabaseError:
            return []

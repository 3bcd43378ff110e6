"""Reading an agency extract (the batch CSV format) and writing the linked output.

All or nothing: every problem in the file is collected, with the row a person would see
in a spreadsheet (the header is row 1), and nothing is returned unless the file is good.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable
from pathlib import Path

from .normalise import FIELDS, PREVIOUS_SURNAMES

REQUIRED = ("record_id", "source")
COLUMNS = ("record_id", "source", *FIELDS)
OUTPUT_COLUMNS = ("record_id", "person_id", "match_probability")
_MAX_ERRORS_IN_MESSAGE = 20


class CsvError(ValueError):
    """A bad input file. `.errors` is a list of (row_number, message); row 0 = the file."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        lines = [f"row {row}: {message}" if row else message for row, message in errors]
        if len(lines) > _MAX_ERRORS_IN_MESSAGE:
            more = len(lines) - _MAX_ERRORS_IN_MESSAGE
            lines = [*lines[:_MAX_ERRORS_IN_MESSAGE], f"… and {more} more"]
        super().__init__("The CSV file has errors; nothing was read.\n" + "\n".join(lines))


def _decode(path: str | os.PathLike[str]) -> str:
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise CsvError(
            [(row, "the file is not UTF-8 text (save it as 'CSV UTF-8' and try again)")]
        ) from None


def _valid_date(text: str) -> bool:
    if len(text) != 10:
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def read_records_csv(
    path: str | os.PathLike[str], *, extra_required: tuple[str, ...] = ()
) -> list[dict]:
    """Records from a CSV file with the columns in `COLUMNS` (any order; only record_id,
    source and `extra_required` must be filled in). Raises CsvError naming every bad row.
    """
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    header = next(reader, None)
    if header is None:
        raise CsvError([(1, "the file is empty: it needs a header row")])
    header = [name.strip().lower() for name in header]
    required = (*REQUIRED, *extra_required)
    missing = [name for name in (*required, *FIELDS) if name not in header]
    if missing:
        raise CsvError([(1, "missing required columns: " + ", ".join(missing))])
    wanted = [*dict.fromkeys((*COLUMNS, *extra_required))]
    if PREVIOUS_SURNAMES in header:
        wanted.append(PREVIOUS_SURNAMES)
    index = {name: header.index(name) for name in wanted}

    errors: list[tuple[int, str]] = []
    records: list[dict] = []
    first_seen: dict[str, int] = {}
    for row_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append((row_number, f"has {len(row)} cells, the header has {len(header)}"))
            continue
        if any("\x00" in cell for cell in row):
            # A database cannot store it (PostgreSQL refuses the text outright).
            errors.append((row_number, "contains a NUL character (a damaged export?)"))
            continue
        record: dict = {}
        for name, i in index.items():
            value = row[i].strip()
            record[name] = value or None
        for name in required:
            if not record[name]:
                errors.append((row_number, f"{name} is empty"))
        dob = record["dob"]
        if dob and not _valid_date(dob):
            errors.append((row_number, f"dob '{dob}' is not a date in the form YYYY-MM-DD"))
        record_id = record["record_id"]
        if record_id:
            if record_id in first_seen:
                errors.append(
                    (row_number, f"record_id '{record_id}' repeats row {first_seen[record_id]}")
                )
            else:
                first_seen[record_id] = row_number
        records.append(record)
    if errors:
        raise CsvError(errors)
    return records


def write_links_csv(
    path: str | os.PathLike[str], links: Iterable[tuple[str, str, float | None]]
) -> None:
    """Write `record_id, person_id, match_probability` to a temporary file, then move it
    into place, so a failed run never leaves a partial output file."""
    target = Path(path)
    temporary = target.with_name(target.name + ".partial")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for record_id, person_id, probability in links:
            writer.writerow(
                [record_id, person_id, "" if probability is None else f"{probability:.6f}"]
            )
    temporary.replace(target)

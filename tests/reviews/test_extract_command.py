"""`threadline extract-recommendations PATH` prints what a review document would propose,
as JSON, naming agencies as the database spells them; it saves nothing."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from threadline.reviews.extraction import MAX_BYTES

from .. import factories as f

REVIEW = (
    "Child Safeguarding Practice Review: Child P\n\nFindings\n1. Nobody saw Poppy alone.\n\n"
    "Recommendations\n1.\tThe police should flag repeat callers to the\n\tschool.\n"
    "2.\tSafeguarding partners should publish a neglect strategy.\n"
    "3.\tGPs should ask about fathers.\n\nAppendix A\n"
)


def run(*args) -> str:
    out = StringIO()
    call_command("extract-recommendations", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_prints_recommendations_naming_agencies_as_the_database_does(tmp_path):
    f.AgencyFactory(code="nb-police", name="Northbridge Police")
    path = tmp_path / "review.txt"
    path.write_text(REVIEW)

    assert json.loads(run(str(path))) == [
        {
            "number": 1,
            "text": "The police should flag repeat callers to the school.",
            "addressed_to": "Northbridge Police",
        },
        {
            "number": 2,
            "text": "Safeguarding partners should publish a neglect strategy.",
            "addressed_to": "partnership",
        },
        {"number": 3, "text": "GPs should ask about fathers.", "addressed_to": None},
    ]


@pytest.mark.django_db
def test_a_document_without_recommendations_prints_an_empty_list(tmp_path):
    path = tmp_path / "findings.txt"
    path.write_text("Findings\n1. Nobody saw Poppy alone.\n")
    assert json.loads(run(str(path))) == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.txt", "No such file"),
        (lambda tmp: tmp, "Not a file"),
        (lambda tmp: big_file(tmp / "huge.txt"), "larger than 10 MB"),
        (lambda tmp: junk_file(tmp / "scan.pdf"), "not a readable PDF"),
    ],
)
def test_files_it_cannot_read(tmp_path, make, message):
    with pytest.raises(CommandError, match=message):
        run(str(make(tmp_path)))


def big_file(path: Path) -> Path:
    with path.open("wb") as out:
        out.truncate(MAX_BYTES + 1)
    return path


def junk_file(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    return path


def test_the_hyphenated_command_name_works_from_the_console(tmp_path):
    path = tmp_path / "review.txt"
    path.write_text(REVIEW)
    script = Path(sys.executable).with_name("threadline")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "threadline.manage"]
    # A database with no tables: agencies cannot be looked up, so none are named.
    env = os.environ | {
        "THREADLINE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    result = subprocess.run(
        [*command, "extract-recommendations", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [(p["number"], p["addressed_to"]) for p in found] == [
        (1, None),
        (2, "partnership"),
        (3, None),
    ]

    missing = subprocess.run(
        [*command, "extract-recommendations", str(tmp_path / "missing.txt")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode != 0
    assert "No such file" in missing.stderr

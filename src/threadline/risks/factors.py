"""The Children in Need census assessment-factor vocabulary, kept as data in
factors.json (with its source). A migration loads it; when the Department for Education
changes the list, edit the file and add a migration that calls `load_factors` again:
codes no longer listed are kept, out of use, for the risks recorded with them."""

import json
from pathlib import Path

FACTORS_FILE = Path(__file__).with_name("factors.json")


def factor_rows() -> list[dict]:
    """The factors a risk can be recorded with (not "no factors identified")."""
    data = json.loads(FACTORS_FILE.read_text(encoding="utf-8"))
    return [f for f in data["factors"] if f.get("about") != "none"]


def load_factors(factor_model) -> None:
    """Bring the Factor table in line with factors.json (`factor_model` is the model a
    migration passes, or the real one)."""
    rows = factor_rows()
    listed = set()
    for position, row in enumerate(rows, start=1):
        listed.add(row["code"])
        factor_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "label": row["label"],
                "about": row.get("about", "any"),
                "position": position,
                "in_use": True,
            },
        )
    factor_model.objects.exclude(code__in=listed).update(in_use=False)

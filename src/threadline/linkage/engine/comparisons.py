"""The model's comparisons: the one definition of every field's agreement levels.

Each level is SQL over the prepared columns (see normalise.prepare) with a label a
practitioner can read. Splink runs the same SQL in batch (DuckDB or Spark) and in real
time (DuckDB), so the two cannot drift. The SQL is written in the subset DuckDB and Spark
share (identifiers unquoted: Spark reads "x" as a string; functions that both have and
compute alike: Levenshtein, Damerau-Levenshtein at distance 1, substr, instr).
"""

from __future__ import annotations

import copy
from typing import Any

from .normalise import KEY_NAMES

Level = tuple[str, str]  # (sql_condition, label)


def _comparison(column: str, label: str, null_sql: str, levels: list[Level]) -> dict[str, Any]:
    comparison_levels: list[dict[str, Any]] = [
        {"sql_condition": null_sql, "label_for_charts": "Not recorded", "is_null_level": True}
    ]
    comparison_levels += [{"sql_condition": sql, "label_for_charts": text} for sql, text in levels]
    comparison_levels.append({"sql_condition": "ELSE", "label_for_charts": f"Different {label}"})
    return {
        "output_column_name": column,
        "comparison_description": label[0].upper() + label[1:],
        "comparison_levels": comparison_levels,
    }


def _either_null(column: str) -> str:
    return f"{column}_l IS NULL OR {column}_r IS NULL"


def _similar(column: str) -> str:
    """A typing error: one edit or two adjacent letters swapped, or two edits in a name
    of six letters or more. (Not Jaro-Winkler: Spark's and DuckDB's differ slightly, and
    the same model must give the same levels on both; Levenshtein is built into both.)"""
    a, b = f"{column}_l", f"{column}_r"
    return (
        f"damerau_levenshtein({a}, {b}) <= 1"
        f" OR (levenshtein({a}, {b}) <= 2 AND least(length({a}), length({b})) >= 6)"
    )


NHS_NUMBER = _comparison(
    "nhs_number",
    "NHS number",
    _either_null("nhs_number"),
    [
        ("nhs_number_l = nhs_number_r", "Same NHS number"),
        (
            "damerau_levenshtein(nhs_number_l, nhs_number_r) <= 1",
            "One digit wrong or two digits swapped",
        ),
    ],
)

FIRST_NAME = _comparison(
    "first_name",
    "first name",
    _either_null("first_name"),
    [
        ("first_name_l = first_name_r", "Same first name"),
        (
            "first_name_canonical_l = first_name_canonical_r",
            "Nickname or other form of the same name",
        ),
        (
            _similar("first_name"),
            "Similar spelling",
        ),
        (
            "substr(first_name_l, 1, 1) = substr(first_name_r, 1, 1)",
            "Same first letter",
        ),
    ],
)

SURNAME = _comparison(
    "surname",
    "surname",
    _either_null("surname"),
    [
        ("surname_l = surname_r", "Same surname"),
        (
            "instr(surname_history_r, concat('|', surname_l, '|')) > 0"
            " OR instr(surname_history_l, concat('|', surname_r, '|')) > 0",
            "Matches an earlier or other part of the surname",
        ),
        (_similar("surname"), "Similar spelling"),
    ],
)

_SWAPPED = (
    "substr(dob_l, 1, 4) = substr(dob_r, 1, 4)"
    " AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2)"
    " AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"
)
_YEAR_GAP = "abs(cast(substr(dob_l, 1, 4) as int) - cast(substr(dob_r, 1, 4) as int))"

DOB = _comparison(
    "dob",
    "date of birth",
    _either_null("dob"),
    [
        ("dob_l = dob_r", "Same date of birth"),
        (_SWAPPED, "Day and month swapped"),
        ("damerau_levenshtein(dob_l, dob_r) <= 1", "One digit wrong (a typing error)"),
        (f"{_YEAR_GAP} <= 1", "Within a year"),
    ],
)

SEX = _comparison("sex", "sex", _either_null("sex"), [("sex_l = sex_r", "Same sex")])

# Address and postcode are one comparison: they say the same thing twice when both are
# recorded, and two comparisons would count it twice (naive Bayes), which is how
# parents and children at one address came to look like one person.
ADDRESS = _comparison(
    "address",
    "address",
    "(address_l IS NULL AND postcode_l IS NULL) OR (address_r IS NULL AND postcode_r IS NULL)",
    [
        ("address_l = address_r AND postcode_l = postcode_r", "Same address and postcode"),
        ("address_l = address_r", "Same address"),
        (
            "address_numbers_l = address_numbers_r AND levenshtein(address_l, address_r) <= 4",
            "Same house number, similar street",
        ),
        ("postcode_l = postcode_r", "Same postcode"),
        ("postcode_sector_l = postcode_sector_r", "Same postcode sector (neighbours)"),
        ("postcode_district_l = postcode_district_r", "Same postcode district"),
    ],
)

COMPARISONS = [NHS_NUMBER, FIRST_NAME, SURNAME, DOB, SEX, ADDRESS]

# Human labels of the comparisons, by Splink's output column name.
FIELD_LABELS = {
    "nhs_number": "NHS number",
    "first_name": "First name",
    "surname": "Surname",
    "dob": "Date of birth",
    "sex": "Sex",
    "address": "Address and postcode",
}

# Batch blocking: equality on each pre-filter key, so batch and real time reach the
# same pairs.
BLOCKING_RULES = [f"l.key_{name} = r.key_{name}" for name in KEY_NAMES]

# The twins rule: same household, same date of birth, different forenames. "Same
# household" is wide on purpose (same postcode, or the same or nearly the same address),
# because one family's address is written many ways. Batch runs this SQL in Splink and
# real time evaluates the same text in Python (levels.compile_condition).
SAME_HOUSEHOLD_SQL = (
    "postcode_l = postcode_r OR address_l = address_r"
    " OR (address_numbers_l = address_numbers_r"
    " AND levenshtein(address_l, address_r) <= 4)"
)
# "Different forenames": not the same name, not forms of one name (Bill, William), not
# the forename and surname written the wrong way round (even with a typing error in one),
# and not a typing error (one edit apart) or a shortened name (Rach, Rachel) unless both
# are names on our list (Jayden, Jaden; Ann, Anna) or the sexes differ (Aurelio, Aurelia;
# Jade, Jaden): the remaining risk is same-sex twins with unlisted names one letter apart.
TWINS_SQL = (
    f"({SAME_HOUSEHOLD_SQL}) AND dob_l = dob_r"
    " AND first_name_l <> first_name_r"
    " AND first_name_canonical_l <> first_name_canonical_r"
    " AND NOT (damerau_levenshtein(first_name_l, surname_r) <= 1"
    " AND damerau_levenshtein(surname_l, first_name_r) <= 1)"
    " AND NOT ((damerau_levenshtein(first_name_l, first_name_r) <= 1"
    " OR instr(first_name_l, first_name_r) = 1 OR instr(first_name_r, first_name_l) = 1)"
    " AND NOT (first_name_known_l = 'Y' AND first_name_known_r = 'Y')"
    " AND coalesce(sex_l = sex_r, true))"
)


def base_settings() -> dict[str, Any]:
    """Untrained Splink settings (DuckDB dialect)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "record_id",
        "probability_two_random_records_match": 1e-5,
        "comparisons": copy.deepcopy(COMPARISONS),
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in BLOCKING_RULES
        ],
        "additional_columns_to_retain": ["source", "first_name_known"],
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": True,
    }


def for_dialect(settings: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The same settings for `dialect` ("duckdb" or "spark"): the SQL is the same."""
    settings = copy.deepcopy(settings)
    if dialect == "duckdb":
        return settings
    if dialect != "spark":
        raise ValueError(f"unknown dialect {dialect!r}")

    settings["sql_dialect"] = "spark"
    return settings

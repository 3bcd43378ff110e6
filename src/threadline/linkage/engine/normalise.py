"""Normalising one record into the columns the model compares, and its blocking keys.

Batch linkage, real-time scoring and the Django pre-filter all call `prepare` and
`blocking_keys` from here, so a record is read the same way everywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .forenames import canonical_forename, is_known_forename

FIELDS = ("nhs_number", "first_name", "surname", "dob", "sex", "postcode", "address")

# Optional: earlier surnames (a list, or a string separated by ";" or "|").
PREVIOUS_SURNAMES = "previous_surnames"

_NOT_LETTER = re.compile(r"[^A-Z]+")
_NOT_NAME = re.compile(r"[^A-Z' -]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_NOT_DIGIT = re.compile(r"[^0-9]+")
_DOB = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

_SEX = {
    "M": "M",
    "MALE": "M",
    "MAN": "M",
    "BOY": "M",
    "1": "M",
    "F": "F",
    "FEMALE": "F",
    "WOMAN": "F",
    "GIRL": "F",
    "2": "F",
}

_STREET_WORDS = {
    "RD": "ROAD",
    "AVE": "AVENUE",
    "AV": "AVENUE",
    "CL": "CLOSE",
    "CRES": "CRESCENT",
    "CR": "CRESCENT",
    "DR": "DRIVE",
    "LN": "LANE",
    "PL": "PLACE",
    "GDNS": "GARDENS",
    "CT": "COURT",
    "SQ": "SQUARE",
    "TER": "TERRACE",
    "TERR": "TERRACE",
    "GRN": "GREEN",
    "GR": "GROVE",
    "PK": "PARK",
    "FLT": "FLAT",
    "APT": "FLAT",
    "APARTMENT": "FLAT",
}


# Words that end the street part of an address; what follows is a town or county.
_STREET_ENDS = {
    "ROAD", "STREET", "LANE", "CLOSE", "AVENUE", "DRIVE", "CRESCENT", "GARDENS", "GROVE",
    "WAY", "PLACE", "TERRACE", "COURT", "SQUARE", "GREEN", "PARK", "ROW", "WALK", "MEWS",
    "VIEW", "RISE", "HILL",
}  # fmt: skip


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip().upper()


def name_tokens(value: Any) -> list[str]:
    """Upper-case words of a name, letters only (apostrophes dropped: O'Neil = ONEIL)."""
    cleaned = _NOT_NAME.sub(" ", _text(value)).replace("'", "").replace("-", " ")
    return cleaned.split()


def normalise_forename(value: Any) -> str | None:
    tokens = name_tokens(value)
    return tokens[0] if tokens else None


def normalise_surname(value: Any) -> str | None:
    """Double-barrelled surnames are kept whole, without the hyphen (SMITH JONES)."""
    tokens = name_tokens(value)
    return " ".join(tokens) if tokens else None


def normalise_nhs_number(value: Any) -> str | None:
    digits = _NOT_DIGIT.sub("", _text(value))
    return digits if len(digits) == 10 else None


def normalise_dob(value: Any) -> str | None:
    text = _text(value)
    return text if _DOB.match(text) else None


def normalise_sex(value: Any) -> str | None:
    return _SEX.get(_text(value))


def normalise_postcode(value: Any) -> str | None:
    postcode = _NOT_ALNUM.sub("", _text(value))
    if len(postcode) < 5 or len(postcode) > 7:
        return None
    return postcode


def normalise_address(value: Any) -> str | None:
    tokens = _NOT_ALNUM.sub(" ", _text(value)).split()
    if not tokens:
        return None
    out = []
    for i, word in enumerate(tokens):
        if word == "ST":
            # "St Mary's Road" is a saint; "High St" is a street.
            word = "SAINT" if i + 1 < len(tokens) and not tokens[i + 1].isdigit() else "STREET"
        out.append(_STREET_WORDS.get(word, word))
    # "12 Oak Road, Northmoor" and "12 Oak Rd" are one address: drop the town.
    ends = [i for i, token in enumerate(out) if token in _STREET_ENDS and i > 0]
    if ends:
        out = out[: ends[-1] + 1]
    return " ".join(out)


def previous_surnames(value: Any) -> list[str]:
    if not value:
        return []
    parts = value if isinstance(value, list | tuple) else re.split(r"[;|]", str(value))
    names = (normalise_surname(part) for part in parts)
    return [name for name in names if name]


def with_previous_surnames(history: str | None, earlier: Any) -> str | None:
    """A surname history ("|SMITH|") with earlier surnames added."""
    names = history.strip("|").split("|") if history else []
    names += [n for n in previous_surnames(earlier) if n not in names]
    return "|" + "|".join(names) + "|" if names else None


def _sorted_dob(dob: str) -> str:
    """Year plus day and month in sorted order: the same for 2011-03-04 and 2011-04-03."""
    month, day = dob[5:7], dob[8:10]
    low, high = (month, day) if month <= day else (day, month)
    return f"{dob[:4]}{low}{high}"


# Batch linkage prepares a million records; names, dates and addresses repeat, so each
# field's normalisation is cached (bounded: the caches hold at most a few hundred MB).
_CACHE = 1 << 18


@lru_cache(maxsize=_CACHE)
def _forename_columns(value: str) -> tuple[str | None, str | None, str | None]:
    first = normalise_forename(value)
    if not first:
        return None, None, None
    return first, canonical_forename(first), "Y" if is_known_forename(first) else "N"


@lru_cache(maxsize=_CACHE)
def _surname_columns(value: str) -> tuple[str | None, str | None]:
    surname = normalise_surname(value)
    if not surname:
        return None, None
    parts = [surname, *surname.split()] if " " in surname else [surname]
    return surname, "|" + "|".join(parts) + "|"


@lru_cache(maxsize=_CACHE)
def _postcode_columns(value: str) -> tuple[str | None, str | None, str | None]:
    postcode = normalise_postcode(value)
    if not postcode:
        return None, None, None
    return postcode, postcode[:-2], postcode[:-3]


@lru_cache(maxsize=_CACHE)
def _address_columns(value: str) -> tuple[str | None, str | None]:
    address = normalise_address(value)
    if not address:
        return None, None
    numbers = [t for t in address.split() if any(c.isdigit() for c in t)]
    return address, " ".join(numbers) or None


_dob = lru_cache(maxsize=_CACHE)(normalise_dob)
_nhs = lru_cache(maxsize=_CACHE)(normalise_nhs_number)


def _sex(value: str) -> str | None:
    return _SEX.get(value.strip().upper())


def prepare(record: dict[str, Any]) -> dict[str, Any]:
    """The columns the model compares, for one record (a plain dict of strings)."""
    get = record.get
    first, canonical, known = _forename_columns(get("first_name") or "")
    surname, history = _surname_columns(get("surname") or "")
    earlier = get(PREVIOUS_SURNAMES)
    if earlier:
        history = with_previous_surnames(history, earlier)
    postcode, sector, district = _postcode_columns(get("postcode") or "")
    address, numbers = _address_columns(get("address") or "")
    return {
        "record_id": str(record.get("record_id") or ""),
        "source": str(get("source") or ""),
        "nhs_number": _nhs(get("nhs_number") or ""),
        "first_name": first,
        "first_name_canonical": canonical,
        "first_name_known": known,
        "surname": surname,
        "surname_history": history,
        "dob": _dob(get("dob") or ""),
        "sex": _sex(get("sex") or ""),
        "postcode": postcode,
        "postcode_sector": sector,
        "postcode_district": district,
        "address": address,
        "address_numbers": numbers,
    }


def key_values(
    nhs: str | None,
    canonical: str | None,
    surname: str | None,
    dob: str | None,
    postcode: str | None,
    district: str | None,
) -> tuple[str | None, ...]:
    """The blocking keys in KEY_NAMES order (None where an input is empty)."""
    sorted_dob = _sorted_dob(dob) if dob else None
    name = f"{canonical}|{surname}" if canonical and surname else None
    return (
        nhs,
        f"{sorted_dob}{canonical[0]}" if sorted_dob and canonical else None,
        f"{sorted_dob}{surname[0]}" if sorted_dob and surname else None,
        f"{postcode}|{canonical[0]}" if postcode and canonical else None,
        # Name alone would put every John Smith in one block (1,600 of them in a million
        # records); with the year, the day and month, or the area it still survives
        # any one error in the date of birth, or a move.
        f"{name}|{dob[:4]}" if name and dob else None,
        f"{name}|{dob[5:]}" if name and dob else None,
        f"{name}|{district}" if name and district else None,
    )


def keys_of_prepared(row: dict[str, Any]) -> dict[str, str]:
    """Blocking keys from a prepared row (see `blocking_keys`)."""
    values = key_values(
        row["nhs_number"],
        row["first_name_canonical"],
        row["surname"],
        row["dob"],
        row["postcode"],
        row["postcode_district"],
    )
    return {name: value for name, value in zip(KEY_NAMES, values, strict=True) if value}


def blocking_keys(record: dict[str, Any]) -> dict[str, str]:
    """Named, normalised pre-filter keys for one record; a key is left out if its inputs
    are empty. Two records are candidates when any key of the same name is equal.

    The batch blocking rules are equality on exactly these keys, so the share of true
    pairs they reach (docs/linkage.md) is also the real-time pre-filter's ceiling.
    """
    return keys_of_prepared(prepare(record))


KEY_NAMES = (
    "nhs",
    "dob_first",
    "dob_surname",
    "postcode_first",
    "name_year",
    "name_day",
    "name_area",
)

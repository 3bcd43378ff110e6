"""Records as a columnar (Arrow) table of prepared columns and blocking keys.

The same field functions as `normalise.prepare`, applied a column at a time: a million
records are prepared without a million intermediate dicts (tests check the two agree).
"""

from __future__ import annotations

from typing import Any

from . import normalise as n


def prepared_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        row = n.prepare(record)
        keys = n.keys_of_prepared(row)
        row.update({f"key_{name}": keys.get(name) for name in n.KEY_NAMES})
        rows.append(row)
    return rows


def column_names() -> list[str]:
    return list(prepared_rows([{"record_id": "x"}])[0])


def _split(values: list[tuple], width: int) -> list[tuple]:
    return list(zip(*values, strict=True)) if values else [() for _ in range(width)]


def prepared_columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    def column(field: str) -> list[str]:
        return [record.get(field) or "" for record in records]

    first, canonical, known = _split(list(map(n._forename_columns, column("first_name"))), 3)
    surname, history = _split(list(map(n._surname_columns, column("surname"))), 2)
    if any(record.get(n.PREVIOUS_SURNAMES) for record in records):
        history = [
            n.with_previous_surnames(h, record.get(n.PREVIOUS_SURNAMES))
            if record.get(n.PREVIOUS_SURNAMES)
            else h
            for h, record in zip(history, records, strict=True)
        ]
    postcode, sector, district = _split(list(map(n._postcode_columns, column("postcode"))), 3)
    address, numbers = _split(list(map(n._address_columns, column("address"))), 2)
    dob = list(map(n._dob, column("dob")))
    nhs = list(map(n._nhs, column("nhs_number")))
    keys = _split(list(map(n.key_values, nhs, canonical, surname, dob, postcode, district)), 7)
    columns = {
        "record_id": [str(record["record_id"]) for record in records],
        "source": [str(record.get("source") or "") for record in records],
        "nhs_number": nhs,
        "first_name": first,
        "first_name_canonical": canonical,
        "first_name_known": known,
        "surname": surname,
        "surname_history": history,
        "dob": dob,
        "sex": list(map(n._sex, column("sex"))),
        "postcode": postcode,
        "postcode_sector": sector,
        "postcode_district": district,
        "address": address,
        "address_numbers": numbers,
    }
    columns.update({f"key_{name}": keys[i] for i, name in enumerate(n.KEY_NAMES)})
    return columns


def arrow_table(records: list[dict[str, Any]]) -> Any:
    """An Arrow table of every prepared column (all strings)."""
    import pyarrow as pa

    columns = prepared_columns(records)
    return pa.table({name: pa.array(list(values), pa.string()) for name, values in columns.items()})

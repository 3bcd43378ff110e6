"""Small generated records (bench/linkage_data.py), shared by the engine's tests."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from linkage_data import generate  # noqa: E402

from threadline.linkage.engine import load_model  # noqa: E402


@pytest.fixture(scope="session")
def default_model():
    return load_model()


@pytest.fixture(scope="session")
def generated():
    """1,500 records with their true persons: (records without truth, truth by record_id)."""
    rows = generate(1500, seed=21)
    truth = {row["record_id"]: row.pop("true_person") for row in rows}
    return rows, truth


def person(**fields):
    record = {
        "record_id": "a",
        "source": "health",
        "nhs_number": None,
        "first_name": "William",
        "surname": "Ashworth",
        "dob": "2012-03-07",
        "sex": "M",
        "postcode": "NM4 2QP",
        "address": "14 Laburnum Close",
    }
    record.update(fields)
    return record

from hypothesis import given
from hypothesis import strategies as st

from threadline.people.phonetic import soundex
from threadline.people.validators import (
    nhs_number_is_valid,
    normalise_nhs_number,
    normalise_postcode,
)


def test_known_nhs_numbers():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")  # wrong check digit
    assert not nhs_number_is_valid("943476591")  # too short
    assert not nhs_number_is_valid("94347659AB")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_is_accepted_unless_none_is_possible(stem):
    valid = [d for d in "0123456789" if nhs_number_is_valid(stem + d)]
    assert len(valid) <= 1


@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(0, 8))
def test_a_single_digit_typo_is_caught(number, position):
    if not nhs_number_is_valid(number):
        return
    typo = str((int(number[position]) + 1) % 10)
    assert not nhs_number_is_valid(number[:position] + typo + number[position + 1 :])


def test_nhs_number_spacing_is_ignored():
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert normalise_nhs_number("943-476-5919") == "9434765919"


def test_postcodes_are_normalised():
    assert normalise_postcode(" nm14bx ") == "NM1 4BX"
    assert normalise_postcode("sw1a 1aa") == "SW1A 1AA"


def test_similar_surnames_share_a_soundex_key():
    assert soundex("Hartley") == soundex("Hartly") == soundex("Heartley")
    assert soundex("Pike") != soundex("Hartley")

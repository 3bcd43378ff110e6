"""Phonetic keys for fuzzy name search, identical on SQLite and PostgreSQL because
they are computed here and stored beside the name."""

import unicodedata

_CODES = {
    **dict.fromkeys("BFPV", "1"),
    **dict.fromkeys("CGJKQSXZ", "2"),
    **dict.fromkeys("DT", "3"),
    "L": "4",
    **dict.fromkeys("MN", "5"),
    "R": "6",
}


def fold(name: str) -> str:
    """Lower case, accents removed, letters only: 'O’Brien-Núñez' → 'obriennunez'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalpha())


def soundex(name: str) -> str:
    """American Soundex: 'Robert' and 'Rupert' → 'R163'. Empty for an empty name."""
    letters = fold(name).upper()
    if not letters:
        return ""
    first, digits, previous = letters[0], [], _CODES.get(letters[0], "")
    for ch in letters[1:]:
        code = _CODES.get(ch, "")
        if code and code != previous:
            digits.append(code)
        if ch not in "HW":
            previous = code
    return (first + "".join(digits) + "000")[:4]

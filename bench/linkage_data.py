"""Synthetic multi-agency person records with ground truth, for identity resolution.

    .venv/bin/python bench/linkage_data.py --records 200000 --seed 8 --output var/l.csv

Writes the batch CSV format (record_id, source, nhs_number, first_name, surname, dob,
sex, postcode, address) plus a `true_person` column. Everything is invented: forenames
and surnames are drawn independently from lists of common English names, streets and
towns are made up, and NHS numbers come from the 999 range the NHS reserves for testing
(with valid modulus-11 check digits). Deterministic for a seed and a size.

What makes it hard (real data is):
- households: parents, children and siblings share a surname, an address and a postcode;
  twins share those and a date of birth (1 birth in 30 here, more than in life); some
  sons carry their father's forename;
- agencies hold different fields: police, housing and probation rarely hold an NHS
  number; health usually does; dates of birth and addresses go missing;
- people change: surname changes on marriage or separation (older records keep the old
  one), moves (older records keep the old address), nicknames (Bill for William);
- people are recorded wrongly: day and month swapped, typed dates, typing errors in
  names, NHS numbers and postcodes, sex missing or wrong, addresses written differently.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from threadline.linkage.engine.forenames import NAME_FAMILIES  # noqa: E402


def _words(text: str) -> list[str]:
    return text.split()


MALE = _words(
    """
James John Robert Michael William David Richard Joseph Thomas Charles Daniel Matthew
Anthony Mark Paul Steven Andrew Kenneth Joshua Kevin Brian George Timothy Ronald Edward
Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon
Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron
Henry Adam Douglas Nathan Peter Zachary Kyle Noah Alan Ethan Jeremy Lionel Christopher
Harry Oliver Charlie Alfie Oscar Leo Archie Freddie Arthur Theo Lucas Isaac Logan Mason
Finley Reuben Toby Louie Jayden Jaden Kai Riley Callum Connor Liam Lewis Owen Dylan Rhys
Aiden Ashton Bradley Carl Dean Darren Craig Lee Wayne Shane Jamie Luke Ben Sam Joe Tom
Dan Alex Kieran Declan Rory Ewan Hamish Ellis Elliot
"""
)
FEMALE = _words(
    """
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa
Margaret Betty Sandra Ashley Dorothy Kimberly Emily Donna Michelle Carol Amanda Melissa
Deborah Stephanie Rebecca Laura Sharon Cynthia Kathleen Amy Shirley Angela Helen Anna
Brenda Pamela Nicole Samantha Katherine Emma Ruth Christine Catherine Debra Rachel
Carolyn Janet Virginia Maria Heather Diane Julie Joyce Victoria Kelly Christina Joan
Evelyn Lauren Judith Olivia Frances Martha Cheryl Megan Andrea Hannah Jacqueline Ann
Jean Alice Kathryn Gloria Teresa Doris Sara Janice Julia Marie Madison Grace Judy
Theresa Beverly Denise Marilyn Amber Danielle Abigail Brittany Rose Diana Natalie Sophia
Alexis Lori Kayla Jane Isla Ava Mia Ivy Freya Poppy Ella Lily Sienna Millie Evie Ruby
Phoebe Chloe Holly Jade Leah Keeley Kayleigh Courtney Shannon Paige Tia Mya Niamh Aoife
Caitlin Eilidh Rhiannon Bethan Ffion Carys Zara Layla Aisha Maya Nadia
"""
)
# Rarer names the engine's list of given names does not hold (so the twins rule and the
# nickname table meet names they do not know, as they will in real extracts).
RARE_MALE = _words(
    """
Torin Alaric Idris Cosmo Ambrose Fenwick Lysander Thaddeus Piran Caspian Evander Lorcan
Tobias Ignatius Barnaby Crispin Jago Kenan Anselm Rufus Casimir Oisin Ruairi
"""
)
RARE_FEMALE = _words(
    """
Isolde Briony Elowen Marigold Saffron Tamsin Morwenna Clemency Juno Ottilie Seren
Wilhelmina Araminta Perpetua Lowenna Demelza Ione Philippa Verity Honor Imogen Iona
"""
)
SURNAMES = _words(
    """
Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans
Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips
Mason Mitchell Rose Davis Rodriguez Cox Alexander Morgan Moore Hughes Edwards Hill
Martin Harris Clark Cooper Ward Turner King Baker Allen Morris Scott Young Harrison
Parker Lee Watson Campbell Price Bennett Griffiths Kelly Shaw Cook Richardson Carter
Bell Marshall Collins Chapman Bailey Murphy Anderson Russell Ellis Adams Graham Richards
Fox Lloyd Gray Stevens Palmer Holmes Knight Barnes Butler Mills Hunt Dixon Webb Pearson
Foster Rogers Harvey Matthews Hamilton Ali Kaur Begum Singh Hussain Ahmed Owen Reid
Hudson Grant Murray Fisher Kennedy Spencer Pearce Burton Gibson Dean Lawrence Stewart
Powell Thomas Payne Wells Chambers Armstrong Hayes Ford Bradley Booth Nicholson Barker
Fletcher Hart Lane Riley Woods Sutton Dawson Holland Jenkins Francis Gardner Henderson
Ross Oliver Saunders Cole Porter Andrews Day Walsh Burns Cunningham Bates Morton
Atkinson Hawkins Lambert Kirby Rowe Stone Haynes Nash Newton Harding Whitehead
Cartwright Fraser Doyle Hodgson Mann Dunn Lord Bird Parry Ball Gordon Field Greenwood
Sharpe Cross Wilkinson Pritchard Rees Frost Norris Hale Abbott Oakley Blackwood Thornton
Pennington Ashworth Kershaw Lomax Birtwistle Entwistle
"""
)
STREET_WORDS = _words(
    """
Oak Mill Church Station Victoria Park Queens Kings Albert Grange Manor Orchard Beech Elm
Ash Willow Meadow Brook Hollow Ridge Heath Moor Fern Hazel Rowan Linden Cedar Chestnut
Laburnum Primrose Bluebell Clover Heather Thistle Lark Wren Kestrel Swallow Fountain
Bridge Castle Abbey Priory Chapel Market Foundry Forge Tannery Wharf Canal Railway
Cemetery Quarry Windmill Water Spring Well Bank Hill Dale Vale Fold Croft
"""
)
STREET_TYPES = _words(
    """
Road Street Lane Close Avenue Drive Crescent Gardens Grove Way Place Terrace
"""
)
TOWNS = [
    ("Northmoor", "NM"),
    ("Ashcombe", "AC"),
    ("Redford Vale", "RV"),
    ("Sallowfield", "SF"),
    ("Brackenbridge", "BB"),
]
AGENCIES = {
    # agency: (share of records, P(NHS number held), P(dob held), P(address held))
    "social_care": (0.22, 0.55, 0.97, 0.92),
    "health": (0.26, 0.96, 0.99, 0.9),
    "education": (0.14, 0.25, 0.99, 0.95),
    "police": (0.16, 0.04, 0.92, 0.75),
    "housing": (0.1, 0.02, 0.85, 0.99),
    "probation": (0.06, 0.08, 0.98, 0.7),
    "substance_misuse": (0.06, 0.45, 0.9, 0.6),
}
NICKNAMES: dict[str, list[str]] = {}
for _line in NAME_FAMILIES.strip().splitlines():
    _names = [n.capitalize() for n in _line.split()]
    NICKNAMES.setdefault(_names[0], []).extend(_names[1:])
    for _n in _names[1:]:
        NICKNAMES.setdefault(_n, []).append(_names[0])
ABBREVIATE = {
    "Road": "Rd",
    "Street": "St",
    "Avenue": "Ave",
    "Close": "Cl",
    "Drive": "Dr",
    "Crescent": "Cres",
    "Gardens": "Gdns",
    "Lane": "Ln",
    "Place": "Pl",
}


@dataclass
class Address:
    line: str  # "12 Oak Road"
    town: str
    postcode: str


@dataclass
class Person:
    person_id: str
    forename: str
    surname: str
    sex: str
    dob: str
    nhs: str
    addresses: list[Address]  # oldest first
    surnames: list[str] = field(default_factory=list)  # oldest first, current last


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.nhs_seen: set[str] = set()
        self.streets = self._streets()
        weights = [1 / (i + 1) ** 0.9 for i in range(len(SURNAMES))]
        self.surname_weights = weights

    def _streets(self) -> list[tuple[str, str, str]]:
        rng, streets = self.rng, []
        for town, area in TOWNS:
            for _ in range(900):
                name = f"{rng.choice(STREET_WORDS)} {rng.choice(STREET_TYPES)}"
                district = f"{area}{rng.randint(1, 19)}"
                streets.append((name, town, district))
        return streets

    def address(self) -> Address:
        rng = self.rng
        name, town, district = rng.choice(self.streets)
        number = rng.randint(1, 180)
        # About 15 houses share a postcode unit: the unit follows the house number.
        unit = (zlib.crc32(f"{name}{district}".encode()) + number // 15) % 400
        inward = f"{unit % 9 + 1}{chr(65 + unit // 20 % 20)}{chr(65 + unit % 20)}"
        line = (
            f"{number} {name}"
            if rng.random() > 0.12
            else f"Flat {rng.randint(1, 9)} {number} {name}"
        )
        return Address(line, town, f"{district} {inward}")

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, self.surname_weights)[0]

    def forename(self, sex: str) -> str:
        if self.rng.random() < 0.12:
            return self.rng.choice(RARE_MALE if sex == "M" else RARE_FEMALE)
        return self.rng.choice(MALE if sex == "M" else FEMALE)

    def nhs_number(self) -> str:
        while True:
            body = "999" + "".join(str(self.rng.randint(0, 9)) for _ in range(6))
            total = sum(int(d) * (10 - i) for i, d in enumerate(body))
            check = 11 - total % 11
            if check == 10:
                continue
            number = body + ("0" if check == 11 else str(check))
            if number not in self.nhs_seen:
                self.nhs_seen.add(number)
                return number

    def dob(self, year_from: int, year_to: int) -> str:
        rng = self.rng
        return (
            f"{rng.randint(year_from, year_to)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        )

    def household(self, next_id) -> list[Person]:
        rng = self.rng
        home = self.address()
        moved_from = self.address() if rng.random() < 0.3 else None
        family_surname = self.surname()
        people: list[Person] = []

        def person(forename, surname, sex, dob, surnames=None) -> Person:
            addresses = [moved_from, home] if moved_from and rng.random() < 0.8 else [home]
            p = Person(
                next_id(),
                forename,
                surname,
                sex,
                dob,
                self.nhs_number(),
                addresses,
                surnames or [surname],
            )
            people.append(p)
            return p

        shape = rng.random()
        adults = 1 if shape < 0.35 else 2
        mother_maiden = self.surname()
        mother_current = family_surname if adults == 2 and rng.random() < 0.6 else mother_maiden
        if rng.random() < 0.12:  # separated: she went back to her maiden name later
            history = [mother_maiden, family_surname, mother_maiden]
        elif mother_current != mother_maiden:
            history = [mother_maiden, mother_current]
        else:
            history = [mother_maiden]
        mother = person(self.forename("F"), history[-1], "F", self.dob(1965, 2002), history)
        father = None
        if adults == 2:
            father = person(self.forename("M"), family_surname, "M", self.dob(1960, 2000))
        child_surname = family_surname if adults == 2 or rng.random() < 0.5 else mother.surname
        n_children = rng.choices([0, 1, 2, 3, 4, 5], [15, 30, 30, 15, 7, 3])[0]
        born = 0
        while born < n_children:
            sex = rng.choice("MF")
            dob = self.dob(2008, 2025)
            if father and sex == "M" and rng.random() < 0.04:
                name = father.forename  # a son named after his father
            else:
                name = self.forename(sex)
            person(name, child_surname, sex, dob)
            born += 1
            if rng.random() < 1 / 30:  # twins: same dob, surname and home
                sex2 = rng.choice("MF")
                name2 = self.forename(sex2)
                if rng.random() < 0.3:  # alliterative or rhyming twin names
                    pool = [n for n in (MALE if sex2 == "M" else FEMALE) if n[0] == name[0]]
                    name2 = rng.choice(pool) if pool else name2
                if name2 != name:
                    person(name2, child_surname, sex2, dob)
                    born += 1
        return people


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    # The first letter is mistyped less often than the rest, but it is.
    i = rng.randrange(0 if rng.random() < 0.1 else 1, len(text))
    kind = rng.random()
    if kind < 0.3:
        return text[:i] + text[i + 1 :]
    if kind < 0.55 and i < len(text) - 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.8:
        return text[:i] + rng.choice("aeiounrst") + text[i + 1 :]
    return text[:i] + rng.choice("aeiounrst") + text[i:]


def _digit_error(rng: random.Random, digits: str) -> str:
    i = rng.randrange(len(digits))
    if rng.random() < 0.5 and i < len(digits) - 1 and digits[i] != digits[i + 1]:
        return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    return digits[:i] + str((int(digits[i]) + rng.randint(1, 9)) % 10) + digits[i + 1 :]


def _record(rng: random.Random, p: Person, record_id: str, agency: str, age_rank: float) -> dict:
    """One agency's record of a person; age_rank 0 = their oldest record, 1 = newest."""
    _share, p_nhs, p_dob, p_address = AGENCIES[agency]
    # Older records hold earlier surnames and addresses.
    surname = p.surnames[min(int(age_rank * len(p.surnames)), len(p.surnames) - 1)]
    address = p.addresses[min(int(age_rank * len(p.addresses)), len(p.addresses) - 1)]
    forename = p.forename
    if NICKNAMES.get(forename) and rng.random() < 0.18:
        forename = rng.choice(NICKNAMES[forename])
    if rng.random() < 0.05:
        forename = _typo(rng, forename)
    if rng.random() < 0.04:
        surname = _typo(rng, surname)
    dob = p.dob
    roll = rng.random()
    if roll < 0.04 and int(dob[8:]) <= 12:
        dob = f"{dob[:4]}-{dob[8:]}-{dob[5:7]}"  # day and month swapped
    elif roll < 0.07:
        for _ in range(5):
            candidate = _digit_error(rng, dob.replace("-", ""))
            text = f"{candidate[:4]}-{candidate[4:6]}-{candidate[6:]}"
            if (
                1900 <= int(text[:4]) <= 2026
                and 1 <= int(text[5:7]) <= 12
                and 1 <= int(text[8:]) <= 28
            ):
                dob = text
                break
    elif roll < 0.08:
        dob = f"{int(dob[:4]) + rng.choice((-1, 1))}{dob[4:]}"  # wrong year
    nhs = p.nhs if rng.random() < p_nhs else ""
    if nhs and rng.random() < 0.015:
        nhs = _digit_error(rng, nhs)
    sex = p.sex if rng.random() > 0.06 else rng.choice(["", "", "M" if p.sex == "F" else "F"])
    line, postcode = address.line, address.postcode
    if rng.random() < 0.3:
        words = line.split()
        line = " ".join(ABBREVIATE.get(w, w) for w in words)
    if rng.random() < 0.3:
        line = f"{line}, {address.town}"
    if rng.random() < 0.2:
        line = line.upper()
    if rng.random() < 0.03:
        postcode = postcode[:-1] + rng.choice("ABDEFGHJLNPQRSTUWXYZ")
    if rng.random() < 0.15:
        postcode = postcode.replace(" ", "")
    has_address = rng.random() < p_address
    return {
        "record_id": record_id,
        "source": agency,
        "nhs_number": nhs,
        "first_name": forename if rng.random() > 0.01 else "",
        "surname": surname,
        "dob": dob if rng.random() < p_dob else "",
        "sex": sex,
        "postcode": postcode if has_address or rng.random() < 0.3 else "",
        "address": line if has_address else "",
        "true_person": p.person_id,
    }


def generate(records: int, seed: int = 8) -> list[dict]:
    """About `records` records (exactly that many), each with its `true_person`."""
    rng = random.Random(seed + 1)
    gen = Generator(seed)
    counter = iter(range(10**9))
    agencies = list(AGENCIES)
    shares = [AGENCIES[a][0] for a in agencies]
    out: list[dict] = []
    while len(out) < records:
        for p in gen.household(lambda: f"P{next(counter):07d}"):
            n = rng.choices([1, 2, 3, 4, 5, 6], [30, 27, 18, 12, 8, 5])[0]
            for k in range(n):
                agency = rng.choices(agencies, shares)[0]
                rank = k / max(n - 1, 1)
                out.append(_record(rng, p, f"R{len(out):08d}", agency, rank))
    del out[records:]
    rng.shuffle(out)
    return out


def write_csv(rows: list[dict], path: str | Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    write_csv(generate(args.records, args.seed), args.output)


if __name__ == "__main__":
    main()

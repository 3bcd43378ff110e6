"""Real-time scoring: the levels a practitioner sees, the decisions and the twins rule."""

from threadline.linkage.engine import blocking_keys, canonical_forename

from .conftest import person


def levels(score):
    return {c.field: c.level for c in score.contributions}


def test_nicknames_share_a_canonical_forename():
    assert canonical_forename("BILL") == canonical_forename("WILLIAM") == "WILLIAM"
    assert canonical_forename("PEGGY") == canonical_forename("MARGARET")
    assert canonical_forename("LIBBY") == canonical_forename("ELIZABETH")
    assert canonical_forename("TORIN") == "TORIN"  # a name the table does not hold


def test_a_nickname_is_explained_and_still_a_candidate(default_model):
    william, bill = person(), person(record_id="b", first_name="Bill")
    assert blocking_keys(william)["name_year"] == blocking_keys(bill)["name_year"]
    (score,) = default_model.score(william, [bill])
    assert levels(score)["First name"] == "Nickname or other form of the same name"
    assert score.decision == "link"


def test_day_and_month_swapped_is_its_own_level(default_model):
    swapped = person(record_id="b", dob="2012-07-03")
    (score,) = default_model.score(person(), [swapped])
    assert levels(score)["Date of birth"] == "Day and month swapped"
    dob = next(c for c in score.contributions if c.field == "Date of birth")
    assert dob.weight > 0
    assert blocking_keys(swapped)["dob_first"] == blocking_keys(person())["dob_first"]


def test_a_mistyped_date_of_birth_is_a_typing_error_not_a_different_date(default_model):
    typo, other = person(record_id="b", dob="2012-03-01"), person(record_id="c", dob="2009-11-23")
    typo_score, other_score = default_model.score(person(), [typo, other])
    assert levels(typo_score)["Date of birth"] == "One digit wrong (a typing error)"
    assert levels(other_score)["Date of birth"] == "Different date of birth"
    assert typo_score.match_weight > other_score.match_weight


def test_one_digit_wrong_in_an_nhs_number_still_counts_for_the_match(default_model):
    record = person(nhs_number="9990001234")
    typo = person(record_id="b", nhs_number="9990001243", first_name=None, address=None)
    (score,) = default_model.score(record, [typo])
    nhs = next(c for c in score.contributions if c.field == "NHS number")
    assert nhs.level == "One digit wrong or two digits swapped" and nhs.weight > 5


def test_an_earlier_surname_matches(default_model):
    married = person(record_id="b", surname="Kershaw", previous_surnames="Ashworth")
    (score,) = default_model.score(person(), [married])
    assert levels(score)["Surname"] == "Matches an earlier or other part of the surname"


def test_scores_come_back_in_the_candidates_order(default_model):
    candidates = [
        person(record_id="b", first_name="Bill"),
        person(record_id="z", first_name="Zara", sex="F", dob="2015-10-02", address=None),
    ]
    scores = default_model.score(person(), candidates)
    assert scores[0].probability > 0.99 > scores[1].probability
    assert [s.decision for s in scores] == ["link", "none"]


def test_twins_are_never_auto_linked(default_model):
    # Same household, same date of birth, same NHS-less records: only the forename differs.
    twin = person(record_id="b", first_name="Walter", sex="M")
    (score,) = default_model.score(person(), [twin])
    assert score.decision in ("review", "none")


def test_twins_rule_holds_even_when_everything_else_agrees(default_model):
    twin = person(record_id="b", first_name="Wilfred", nhs_number="9990001234")
    record = person(nhs_number="9990001234")
    (score,) = default_model.score(record, [twin])
    assert score.probability >= default_model.auto_link  # the evidence says link …
    assert score.decision == "review" and score.twins_rule  # … the rule says a person decides


def test_a_misspelt_forename_is_not_a_twin(default_model):
    typo = person(record_id="b", first_name="Wiliam")
    (score,) = default_model.score(person(), [typo])
    assert not score.twins_rule


def test_a_shortened_forename_is_not_a_twin(default_model):
    rachel = person(first_name="Rachel", sex="F")
    (score,) = default_model.score(rachel, [person(record_id="b", first_name="Rach", sex="F")])
    assert not score.twins_rule and score.decision == "link"


def test_names_the_wrong_way_round_with_a_typing_error_are_not_twins(default_model):
    nhs = {"nhs_number": "9990001234"}
    swapped = person(record_id="b", first_name="Ashwroth", surname="William", **nhs)
    (score,) = default_model.score(person(**nhs), [swapped])
    assert score.probability >= default_model.auto_link and score.decision == "link"


def test_two_listed_names_one_inside_the_other_may_still_be_twins(default_model):
    jade = person(first_name="Jade", sex="F", nhs_number="9990001234")
    jaden = person(record_id="b", first_name="Jaden", sex="F", nhs_number="9990001234")
    (score,) = default_model.score(jade, [jaden])
    assert score.twins_rule and score.decision == "review"


def test_thresholds_split_link_review_and_none(default_model):
    assert default_model.review < default_model.auto_link
    assert default_model.decide(default_model.auto_link) == "link"
    assert default_model.decide(default_model.review) == "review"
    assert default_model.decide(default_model.review / 2) == "none"
    assert default_model.decide(0.9999, twins=True) == "review"


def test_the_engine_runs_without_django():
    import subprocess
    import sys

    code = "import sys, threadline.linkage.engine; print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_blocking_keys_survive_any_one_error_and_stay_few():
    base = person(nhs_number="9990001234")
    variants = [
        person(nhs_number=None, dob="2012-03-01", postcode="AC2 9ZZ", address="3 Mill Lane"),
        person(nhs_number=None, surname="Kershaw", dob="2012-07-03", address=None),
        person(nhs_number=None, first_name="Bill", dob=None),
        person(nhs_number=None, first_name="Wiliam", postcode=None, address=None),
        person(nhs_number="9990001234", first_name=None, surname=None),
    ]
    keys = blocking_keys(base)
    assert 0 < len(keys) <= 8 and all(isinstance(v, str) for v in keys.values())
    for variant in variants:
        shared = set(keys.items()) & set(blocking_keys(variant).items())
        assert shared, variant
    assert blocking_keys({"record_id": "x", "source": "police"}) == {}

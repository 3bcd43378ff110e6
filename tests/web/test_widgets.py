"""Threadline's own templates for Django's select and the GOV.UK date input render what a
user chose or typed back to them, with the GOV.UK classes."""

from django import forms
from django.test.html import parse_html

from threadline.web.forms import GovUKDateField, GovUKForm


class _Form(GovUKForm):
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("", "Any"), ("Health", [("gp", "GP"), ("ae", "A&E")]), ("other", "Other")],
        required=False,
    )
    since = GovUKDateField(label="From", required=False)


def _html(form, name) -> str:
    return parse_html(str(form[name]))


def test_a_select_shows_its_choices_groups_and_the_one_chosen():
    select = _html(_Form({"kind": "ae"}), "kind")
    assert select.name == "select"
    assert dict(select.attributes)["class"] == "govuk-select"
    assert parse_html('<option value="ae" selected>A&amp;E</option>') in select
    assert parse_html('<option value="gp">GP</option>') in select
    assert parse_html('<option value="">Any</option>') in select
    group = next(child for child in select.children if getattr(child, "name", "") == "optgroup")
    assert dict(group.attributes)["label"] == "Health"
    assert len(group.children) == 2


def test_a_date_keeps_what_was_typed_and_marks_every_box_when_it_is_wrong():
    form = _Form({"since_day": "31", "since_month": "2", "since_year": "2026"})
    assert not form.is_valid()
    date = _html(form, "since")
    boxes = {dict(e.attributes)["name"]: dict(e.attributes) for e in _inputs(date)}
    labels = [dict(e.attributes)["for"] for e in _elements(date, "label")]
    for index, (box, value) in enumerate(
        (("since_day", "31"), ("since_month", "2"), ("since_year", "2026"))
    ):
        attributes = boxes[box]
        assert attributes["id"] == labels[index] == f"id_since_{index}"
        assert attributes["value"] == value
        assert "govuk-input--error" in attributes["class"]
        assert attributes["inputmode"] == "numeric"


def _elements(element, name):
    for child in element.children:
        if isinstance(child, str):
            continue
        if child.name == name:
            yield child
        yield from _elements(child, name)


def _inputs(element):
    return _elements(element, "input")

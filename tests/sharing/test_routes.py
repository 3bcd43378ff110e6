"""The authorization matrix: every web route × persona → the status they get.

A route missing from the matrix fails the suite, so no page ships without a decision
about who may use it. Personas (tests/conftest.py): the allocated social worker in the
holding local authority; a health visitor in the network (a partner agency); an outsider
from another area's police; an administrator without an agency."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from threadline.audit.models import AuditEvent

PERSONAS = ("social_worker", "health_visitor", "outsider", "administrator")

# route name → (how to build its URL, {persona: expected GET status})
PERSON = "person"
CASE = "case"
INVOLVEMENT = "involvement"
NONE = None
MATRIX = {
    "dashboard": (NONE, dict.fromkeys(PERSONAS, 200)),
    "person-search": (NONE, dict.fromkeys(PERSONAS, 200)),
    "person-create": (NONE, dict.fromkeys(PERSONAS, 200)),
    "person-detail": (PERSON, {"social_worker": 200, "health_visitor": 200, "outsider": 404,
                               "administrator": 404}),
    "person-edit": (PERSON, {"social_worker": 200, "health_visitor": 403, "outsider": 404,
                             "administrator": 404}),
    "address-add": (PERSON, {"social_worker": 200, "health_visitor": 200, "outsider": 404,
                             "administrator": 404}),
    "relationship-add": (PERSON, {"social_worker": 200, "health_visitor": 200, "outsider": 404,
                                  "administrator": 404}),
    "name-add": (PERSON, {"social_worker": 200, "health_visitor": 200, "outsider": 404,
                          "administrator": 404}),
    "reference-add": (PERSON, {"social_worker": 200, "health_visitor": 200, "outsider": 404,
                               "administrator": 404}),
    # POST-only: a GET is 405 for everyone who may reach it.
    "case-open": (PERSON, {"social_worker": 405, "health_visitor": 405, "outsider": 405,
                           "administrator": 405}),
    "involvement-add": (CASE, {"social_worker": 200, "health_visitor": 403, "outsider": 404,
                               "administrator": 404}),
    "involvement-end": (INVOLVEMENT, {"social_worker": 200, "health_visitor": 403,
                                      "outsider": 404, "administrator": 404}),
    "allocation-add": (CASE, {"social_worker": 200, "health_visitor": 403, "outsider": 404,
                              "administrator": 404}),
    "lead-professional-set": (CASE, {"social_worker": 200, "health_visitor": 403,
                                     "outsider": 404, "administrator": 404}),
    "login": (NONE, dict.fromkeys(PERSONAS, 302)),  # signed-in users are sent on
    "logout": (NONE, dict.fromkeys(PERSONAS, 405)),  # sign-out is POST only
    "healthz": (NONE, dict.fromkeys(PERSONAS, 200)),
}


def web_routes():
    """(name, callback) for every route outside the admin and the API."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(("admin/", "api/")):
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                found.append((p.name, p.callback))

    walk(get_resolver().url_patterns)
    return found


def test_every_web_route_declares_a_permission_and_is_in_the_matrix():
    routes = web_routes()
    undeclared = [name for name, view in routes if not hasattr(view, "permission")]
    assert undeclared == [], f"routes without @requires(...): {undeclared}"
    assert {name for name, _ in routes} == set(MATRIX), "update MATRIX for new or removed routes"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_matrix(client, world, route, persona):
    kind, expected = MATRIX[route]
    kwargs = {
        PERSON: {"person_id": world.child.pk},
        CASE: {"case_id": world.case.pk},
        INVOLVEMENT: {"case_id": world.case.pk,
                      "involvement_id": world.case.involvements.first().pk},
        NONE: {},
    }[kind]
    client.force_login(getattr(world, persona))
    response = client.get(reverse(route, kwargs=kwargs))
    assert response.status_code == expected[persona]


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get(reverse("person-detail", kwargs={"person_id": world.child.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_that_show_a_person_write_the_audit_trail(client, world):
    client.force_login(world.health_visitor)
    before = AuditEvent.objects.filter(action="view", actor=world.health_visitor).count()
    client.get(reverse("person-detail", kwargs={"person_id": world.child.pk}))
    viewed = AuditEvent.objects.filter(action="view", actor=world.health_visitor)
    assert viewed.count() == before + 1
    assert viewed.last().child_id == world.child.pk
    client.get(reverse("person-search"), {"name": "Marsh"})
    assert AuditEvent.objects.filter(action="search", actor=world.health_visitor).exists()

"""Small assertions shared by the API tests."""

from threadline.audit.models import AuditEvent


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The response is a JSON error with this status, stable code and field."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert body["field"] == field, body
    assert body["message"]
    assert body["errors"][0]["code"] == code
    return body


def audit_count(**filters) -> int:
    return AuditEvent.objects.filter(**filters).count()

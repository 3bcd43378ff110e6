"""A response checked against the OpenAPI schema as `make fuzz` checks it (schemathesis's
own validation): its status code is documented for the operation, and its body matches
the schema documented for that status. Regression tests of what fuzzing found use it."""

import functools
import json

import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator


@functools.cache
def _schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON, as the served schema is: lazy strings and tuples become plain values.
    return schemathesis.openapi.from_dict(json.loads(json.dumps(generated, default=str)))


def assert_documented(response, method: str, path: str) -> None:
    """`path` is the schema's template, such as `/api/v1/orders/{id}/`."""
    operation = _schema()[path][method.upper()]
    documented = operation.definition.raw["responses"]
    assert str(response.status_code) in documented, (
        f"{method} {path} answered {response.status_code}, documented: {sorted(documented)}",
        response.content,
    )
    request = requests.Request(method.upper(), f"http://testserver{path}").prepare()
    operation.validate_response(
        schemathesis.Response(
            status_code=response.status_code,
            headers={name: [value] for name, value in response.headers.items()},
            content=response.content,
            request=request,
            elapsed=0.0,
            verify=False,
        )
    )
